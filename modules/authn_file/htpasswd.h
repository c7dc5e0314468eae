/* The htpasswd file format, as httpd's mod_authn_file reads it: one "user:hash" per line,
 * '#' comments and blank lines skipped. Pure, so it is tested on its own. */
#ifndef HTPASSWD_H
#define HTPASSWD_H

/* Split @a line (its line end is removed) in place into *user and *hash; the hash ends at
 * the next ':'. Returns 1 for an entry, 0 for a comment, a blank or a line without ':'. */
int htpasswd_parse_line(char *line, const char **user, const char **hash);

#endif
