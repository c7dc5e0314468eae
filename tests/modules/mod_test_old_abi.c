/* A module record built for the module ABI before this kiva's (KV_MODULE_ABI - 1), as a
 * module compiled against older headers is: LoadModule must refuse it, naming both ABIs,
 * rather than read its record with today's layout. Built for the tests, never installed. */
#include "kiva.h"

kv_module_t test_old_abi_module = {
    .magic = KV_MODULE_MAGIC,
    .abi_version = KV_MODULE_ABI - 1,
    .name = "test_old_abi",
    .index = -1,
};
