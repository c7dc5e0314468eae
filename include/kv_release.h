/**
 * @file kv_release.h
 * @brief The httpd release whose configuration language kiva implements.
 *
 * kiva's own version (PACKAGE_VERSION, `kiva -v`) numbers kiva's releases. What a
 * configuration tests with `<IfVersion>` is the httpd it was written for, so that the
 * snippets packages ship (`<IfVersion >= 2.3> Require all granted </IfVersion>`) take the
 * branch meant for httpd 2.4. kiva follows Debian 12's apache2, whose behaviour its tests
 * compare against.
 */
#ifndef KV_RELEASE_H
#define KV_RELEASE_H

/** The httpd version kiva is compatible with, major.minor.patch: what `<IfVersion>`
 * compares against and what its regular expressions match. */
#define KV_HTTPD_COMPAT_VERSION "2.4.71"

#endif
