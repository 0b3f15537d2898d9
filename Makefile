# swsev — one Makefile for the library, the tools, the tests and the proofs.
#
#   make            build everything (warning-free with -Wall -Wextra)
#   make check      build and run every test; ends with "N passed, N failed"
#   make asan       the same tests under AddressSanitizer + UBSan
#   make demo       the whole attested launch, narrated
#   make fuzz       every fuzzer briefly (FUZZ_SECONDS each)
#   make bench      the benchmark report
#   make lint       cppcheck, clang-tidy and the formatting check
#
# Sources are picked up by folder (see DESIGN.md and docs/architecture.md):
# lib/*/*.c form libswsev, cli/*.c the swsev tool, daemon/*.c swsevd,
# preload/*.c the /dev/sev preload library, tests/{unit,kat,e2e}/test_*.c
# are test binaries, tests/e2e/*.sh are end-to-end scripts, tests/progs/*.c
# helper programs, tests/fuzz/fuzz_*.c libFuzzer harnesses, bench/*.c
# benchmarks.

BUILD   ?= build
CC      ?= cc
V       ?= 0
PREFIX  ?= /usr/local
WERROR  ?= 0
SAN     ?= 0

Q := $(if $(filter 1,$(V)),,@)

WARN    := -Wall -Wextra -Wshadow -Wformat=2 -Wvla -Wstrict-prototypes -Wmissing-prototypes
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 $(WARN) -fPIC -fvisibility=hidden -fstack-protector-strong \
           -D_FORTIFY_SOURCE=2 -D_GNU_SOURCE -pthread -MMD -MP
CPPFLAGS += -Iinclude -Ilib -Itests
LDLIBS  += -lcrypto -pthread
ifeq ($(WERROR),1)
CFLAGS  += -Werror
endif
ifeq ($(SAN),1)
CFLAGS  += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -U_FORTIFY_SOURCE
LDFLAGS += -fsanitize=address,undefined
endif

LIB_SRC     := $(sort $(wildcard lib/*/*.c))
CLI_SRC     := $(sort $(wildcard cli/*.c))
DAEMON_SRC  := $(sort $(wildcard daemon/*.c))
PRELOAD_SRC := $(sort $(wildcard preload/*.c))
TEST_SRC    := $(sort $(wildcard tests/unit/test_*.c tests/kat/test_*.c tests/e2e/test_*.c))
PROG_SRC    := $(sort $(wildcard tests/progs/*.c))
BENCH_SRC   := $(sort $(wildcard bench/*.c))
FUZZ_SRC    := $(sort $(wildcard tests/fuzz/fuzz_*.c))

LIB_OBJ     := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ     := $(CLI_SRC:%.c=$(BUILD)/%.o)
DAEMON_OBJ  := $(DAEMON_SRC:%.c=$(BUILD)/%.o)
PRELOAD_OBJ := $(PRELOAD_SRC:%.c=$(BUILD)/%.o)
TEST_BIN    := $(TEST_SRC:%.c=$(BUILD)/%)
PROG_BIN    := $(PROG_SRC:%.c=$(BUILD)/%)
BENCH_BIN   := $(if $(BENCH_SRC),$(BUILD)/bench/swsev-bench)

SOVER       := 0
LIB_A       := $(BUILD)/libswsev.a
LIB_SO      := $(BUILD)/libswsev.so.$(SOVER)
SWSEV       := $(BUILD)/swsev
SWSEVD      := $(BUILD)/swsevd
PRELOAD_SO  := $(BUILD)/libswsev-preload.so
PC          := $(BUILD)/swsev.pc

ALL := $(LIB_A) $(LIB_SO) $(PC) $(SWSEV) \
       $(if $(DAEMON_SRC),$(SWSEVD)) $(if $(PRELOAD_SRC),$(PRELOAD_SO))

.PHONY: all deps check asan demo fuzz fuzz-long bench lint format clean install tests
all: deps $(ALL)

# Installs missing Debian build dependencies (as root, via apt-get).
deps:
	$(Q)./scripts/install-deps.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(LIB_A): $(LIB_OBJ)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(LIB_SO): $(LIB_OBJ) lib/libswsev.syms
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -shared -Wl,-soname,libswsev.so.$(SOVER) -Wl,--version-script=lib/libswsev.syms \
		$(LDFLAGS) -o $@ $(LIB_OBJ) $(LDLIBS)
	$(Q)ln -sf libswsev.so.$(SOVER) $(BUILD)/libswsev.so

$(PC): swsev.pc.in
	@mkdir -p $(@D)
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|' $< > $@

$(SWSEV): $(CLI_OBJ) $(LIB_A)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB_A) $(LDLIBS)

$(SWSEVD): $(DAEMON_OBJ) $(LIB_A)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $(DAEMON_OBJ) $(LIB_A) $(LDLIBS)

$(PRELOAD_SO): $(PRELOAD_OBJ) $(LIB_A)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -shared $(LDFLAGS) -o $@ $(PRELOAD_OBJ) $(LIB_A) $(LDLIBS) -ldl

$(BUILD)/tests/harness.o: tests/harness.c tests/harness.h
$(BUILD)/tests/%: $(BUILD)/tests/%.o $(BUILD)/tests/harness.o $(LIB_A)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(BUILD)/tests/harness.o $(LIB_A) $(LDLIBS)

# helper programs written against the kernel ABI only: no libswsev
$(BUILD)/tests/progs/%: tests/progs/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -Iinclude -o $@ $< $(LDFLAGS)

tests: all $(TEST_BIN) $(PROG_BIN)

check: tests
	$(Q)BUILD=$(BUILD) ./tests/run.sh

asan:
	$(Q)$(MAKE) --no-print-directory BUILD=build-asan SAN=1 check

demo: all
	$(Q)BUILD=$(BUILD) ./scripts/demo.sh

ifneq ($(BENCH_SRC),)
$(BENCH_BIN): $(BENCH_SRC:%.c=$(BUILD)/%.o) $(LIB_A)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(BENCH_SRC:%.c=$(BUILD)/%.o) $(LIB_A) $(LDLIBS)
endif
bench: all $(BENCH_BIN)
	$(Q)BUILD=$(BUILD) ./bench/run.sh

FUZZ_SECONDS ?= 10
fuzz:
	$(Q)FUZZ_SECONDS=$(FUZZ_SECONDS) ./tests/fuzz/run.sh
fuzz-long:
	$(Q)FUZZ_SECONDS=$${FUZZ_SECONDS:-600} ./tests/fuzz/run.sh

lint:
	$(Q)./scripts/lint.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/swsev \
		$(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 755 $(SWSEV) $(DESTDIR)$(PREFIX)/bin/
	$(if $(DAEMON_SRC),install -m 755 $(SWSEVD) $(DESTDIR)$(PREFIX)/bin/)
	install -m 644 $(LIB_A) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(LIB_SO) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libswsev.so.$(SOVER) $(DESTDIR)$(PREFIX)/lib/libswsev.so
	$(if $(PRELOAD_SRC),install -m 755 $(PRELOAD_SO) $(DESTDIR)$(PREFIX)/lib/)
	install -m 644 include/swsev/*.h $(DESTDIR)$(PREFIX)/include/swsev/
	install -m 644 $(PC) $(DESTDIR)$(PREFIX)/lib/pkgconfig/

clean:
	rm -rf build build-asan build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# keep object files of test binaries between runs (they are not intermediates to delete)
.SECONDARY:
