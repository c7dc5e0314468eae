/* Host name suffix matching on whole labels, as httpd's in_domain: shared by Require host
 * (mod_authz_host) and Allow/Deny from host (mod_access_compat). */
#include <string.h>
#include <strings.h>

#include "host_require.h"

int host_in_domain(const char *domain, const char *name)
{
    size_t dl = strlen(domain), nl = strlen(name);

    if (dl == 0 || nl < dl || strcasecmp(domain, name + nl - dl) != 0) {
        return 0;
    }
    return nl == dl || domain[0] == '.' || name[nl - dl - 1] == '.';
}
