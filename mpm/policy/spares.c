/* Keeping the spares (see spares.h). */
#include "spares.h"

prefork_action_t prefork_maintain_spares(const prefork_census_t *c, const prefork_limits_t *l,
                                         int *spawn_rate)
{
    prefork_action_t a = {0, 0, 0, 0};

    if (c->idle > l->max_spare) {
        a.kill_one = 1;
        *spawn_rate = 1;
    } else if (c->idle >= l->min_spare) {
        *spawn_rate = 1;
    } else if (c->free_slots == 0) {
        a.at_limit = 1;
        *spawn_rate = 1;
    } else {
        a.spawn = *spawn_rate < c->free_slots ? *spawn_rate : c->free_slots;
        a.busy = *spawn_rate >= 8;
        if (*spawn_rate < PREFORK_MAX_SPAWN_RATE) {
            *spawn_rate *= 2;
        }
    }
    return a;
}
