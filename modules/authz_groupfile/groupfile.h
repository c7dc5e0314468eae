/* One line of an AuthGroupFile: "group: user user ...". Pure, so it is tested on its own. */
#ifndef GROUPFILE_H
#define GROUPFILE_H

#include <apr_pools.h>

/* The group @a line names when @a user is one of its members, in @a p; NULL when the line
 * is a comment, blank, has no ':' or does not list @a user. As httpd: the group is all
 * before the first ':' (blanks at the line's start dropped), members are separated by
 * blanks. */
const char *groupfile_group_of(apr_pool_t *p, const char *line, const char *user);

#endif
