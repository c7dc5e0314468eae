# The libFuzzer targets (tests/fuzz/README.md), in GNU make. The top Makefile includes this
# file only under ./configure --enable-fuzzers, so it sees configure's FUZZ_CC and the
# source lists and flags of server/local.am and modules/*/local.am.
#
# Each target is tests/fuzz/<target>, linked from tests/fuzz/<target>.c, fuzz_common.c, the
# sources in <target>_SRCS and the core. Everything is built by FUZZ_CC with coverage and the
# sanitizers into tests/fuzz/build/, apart from the objects of the normal build.
# Adding a target is two lines: FUZZ_TARGETS += fuzz_x, and fuzz_x_SRCS = (its own sources
# beyond the core, or nothing); fuzz_x_LDFLAGS and fuzz_x_LIBS if it needs them. Its seeds go
# in tests/fuzz/corpus/x/.

FUZZ_TARGETS = fuzz_request fuzz_path fuzz_range fuzz_config fuzz_expr fuzz_log_format \
	fuzz_htpasswd fuzz_cgi_headers fuzz_chunked fuzz_host fuzz_coding fuzz_negotiation \
	fuzz_remoteip fuzz_shmcb fuzz_sni_name
FUZZ_TARGETS += fuzz_ssl_keys fuzz_ssl_parse

fuzz_request_SRCS =
fuzz_chunked_SRCS =
fuzz_host_SRCS =
fuzz_coding_SRCS =
fuzz_path_SRCS =
fuzz_range_SRCS =
fuzz_expr_SRCS =
fuzz_log_format_SRCS = modules/log_config/log_format.c
fuzz_htpasswd_SRCS = modules/authn_file/htpasswd.c
fuzz_cgi_headers_SRCS = modules/cgi/cgi_headers.c
fuzz_negotiation_SRCS = modules/negotiation/neg_parse.c modules/negotiation/neg_choose.c
fuzz_sni_name_SRCS = modules/ssl/ssl_sni_name.c
# RemoteIPTrustedProxy takes host names: fuzz_no_dns.c resolves only numeric addresses.
fuzz_remoteip_SRCS = modules/remoteip/remoteip_walk.c tests/fuzz/fuzz_no_dns.c
fuzz_remoteip_LDFLAGS = -Wl,--wrap=apr_sockaddr_info_get
# The TLS session cache's store, in ordinary memory.
fuzz_shmcb_SRCS = modules/socache_shmcb/shmcb_store.c modules/socache_shmcb/shmcb_arg.c
# mod_ssl's pure parsers: no OpenSSL call, so no libssl.
fuzz_ssl_keys_SRCS = modules/ssl/ssl_keys_parse.c
fuzz_ssl_parse_SRCS = modules/ssl/ssl_parse.c
# The config walker runs the directives of every content module, so they are linked in.
FUZZ_CONFIG_MODULES = access_compat alias auth_basic authn_core authn_file authz_core \
	authz_groupfile authz_host authz_user autoindex cgi dir headers log_config mime setenvif \
	status filter env remoteip userdir negotiation expires deflate brotli logio reqtimeout info \
	version
# sort: a file two modules share (modules/authz_host/in_domain.c) is linked once.
fuzz_config_SRCS = $(sort $(foreach m,$(FUZZ_CONFIG_MODULES),$(modules_mod_$(m)_la_SOURCES))) \
	tests/fuzz/fuzz_no_dns.c
# After the objects, so that a linker dropping unused libraries keeps them: mod_deflate and
# mod_brotli's compressors, mod_status's SHA-256 (libcrypto).
fuzz_config_LIBS = $(ZLIB_LIBS) $(BROTLI_LIBS) $(CRYPTO_LIBS)
# The reader follows Include wherever it points: these calls are confined to its tree.
fuzz_config_LDFLAGS = -Wl,--wrap=apr_stat,--wrap=apr_file_open,--wrap=apr_dir_open \
	-Wl,--wrap=apr_dso_load,--wrap=apr_sockaddr_info_get

# How long `make fuzz-run` runs each target, and the limits of `make fuzz-long`.
FUZZ_SECONDS = 10
FUZZ_LONG_RUNS = 10000000
FUZZ_LONG_SECONDS = 3600

FUZZ_BUILD = tests/fuzz/build
FUZZ_SANITIZE = address,undefined
FUZZ_CFLAGS = -std=c11 -g -O1 -Wall -Wextra $(WERROR_CFLAGS) -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
# APR's bucket and ring macros take offsets through a null pointer (APR_OFFSET), which clang
# warns about and its UBSan reports, unless offsetof is defined before apr_general.h is read.
FUZZ_CPPFLAGS = -include stddef.h $(libkiva_la_CPPFLAGS) $(KV_CORE_INCLUDES) \
	-I$(top_srcdir)/modules -I$(top_srcdir)/tests/fuzz $(ZLIB_CFLAGS) $(BROTLI_CFLAGS) \
	$(CRYPTO_CFLAGS)

fuzz_obj = $(patsubst %.c,$(FUZZ_BUILD)/%.o,$(filter %.c,$(1)))
FUZZ_CORE_OBJS = $(call fuzz_obj,$(libkiva_la_SOURCES))
FUZZ_COMMON_OBJS = $(call fuzz_obj,tests/fuzz/fuzz_common.c)
FUZZ_PROGRAMS = $(addprefix tests/fuzz/,$(FUZZ_TARGETS))
FUZZ_ALL_OBJS = $(sort $(FUZZ_CORE_OBJS) $(FUZZ_COMMON_OBJS) \
	$(foreach t,$(FUZZ_TARGETS),$(call fuzz_obj,tests/fuzz/$(t).c $($(t)_SRCS))))

fuzz: $(FUZZ_PROGRAMS)

# Parser sources with coverage (fuzzer-no-link); libFuzzer's main comes in at the link. The
# objects depend on the makefiles too, so that changed flags rebuild them.
$(FUZZ_BUILD)/%.o: $(top_srcdir)/%.c $(abs_top_srcdir)/tests/fuzz/fuzz.mk Makefile
	@mkdir -p $(@D)
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) \
		-fsanitize=fuzzer-no-link,$(FUZZ_SANITIZE) -MMD -MP -c $< -o $@

$(FUZZ_BUILD)/libkiva.a: $(FUZZ_CORE_OBJS)
	$(AM_V_GEN)rm -f $@ && $(AR) rcs $@ $^

define fuzz_link_rule
tests/fuzz/$(1): $$(call fuzz_obj,tests/fuzz/$(1).c $$($(1)_SRCS)) $$(FUZZ_COMMON_OBJS) \
		$$(FUZZ_BUILD)/libkiva.a
	@mkdir -p $$(@D)
	$$(AM_V_CCLD)$$(FUZZ_CC) $$(FUZZ_CFLAGS) -fsanitize=fuzzer,$$(FUZZ_SANITIZE) \
		$$($(1)_LDFLAGS) $$^ $$($(1)_LIBS) $$(KV_LIBS) -o $$@
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_link_rule,$(t))))

-include $(FUZZ_ALL_OBJS:.o=.d)

# Each target for FUZZ_SECONDS on its seeds; new inputs and crashes go to tests/fuzz/work/.
fuzz-run: fuzz
	$(AM_V_at)bash $(top_srcdir)/tests/fuzz/run.sh --seconds $(FUZZ_SECONDS) \
		--srcdir $(top_srcdir) $(FUZZ_TARGETS)

# The long campaign: each target in turn, niced, until FUZZ_LONG_RUNS or FUZZ_LONG_SECONDS.
fuzz-long: fuzz
	$(AM_V_at)bash $(top_srcdir)/tests/fuzz/run.sh --seconds $(FUZZ_LONG_SECONDS) \
		--runs $(FUZZ_LONG_RUNS) --nice --srcdir $(top_srcdir) $(FUZZ_TARGETS)

fuzz-clean:
	rm -rf $(FUZZ_BUILD) tests/fuzz/work $(FUZZ_PROGRAMS)

.PHONY: fuzz fuzz-run fuzz-long fuzz-clean
