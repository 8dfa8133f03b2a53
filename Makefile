# escdb — plain Makefile.  make, make check, make bench, make demo,
# make install PREFIX= DESTDIR=.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
CC ?= cc
PKG_CONFIG ?= pkg-config
LIBS_PC = libpcre2-8 sqlite3 libcjson zlib
DEB_PKGS = libpcre2-dev libsqlite3-dev libcjson-dev zlib1g-dev pkg-config

CFLAGS ?= -O2 -g
WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wno-format-nonliteral
BASEFLAGS = -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -I. $(WARN)
PC_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(LIBS_PC) 2>/dev/null)
PC_LIBS = $(shell $(PKG_CONFIG) --libs $(LIBS_PC) 2>/dev/null)
ALL_CFLAGS = $(BASEFLAGS) $(PC_CFLAGS) $(CFLAGS)
LDLIBS = $(PC_LIBS) -lm -pthread

LIB_SRC = $(sort $(wildcard lib/*.c parser/*.c store/*.c report/*.c))
CMD_SRC = $(sort $(wildcard cmd/*.c))
HDRS = $(wildcard lib/*.h parser/*.h store/*.h report/*.h cmd/*.h cmd/*.inc)

OBJ = $(patsubst %.c,build/obj/%.o,$(LIB_SRC) $(CMD_SRC))
ASAN_OBJ = $(patsubst %.c,build/asan/%.o,$(LIB_SRC) $(CMD_SRC))
ASAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

.PHONY: all deps check unit test bench demo asan install uninstall clean lint report screenshot fuzz fuzz-build

all: deps escdb

# Installs the Debian packages escdb builds with when one is missing:
# with apt-get when root, otherwise prints the exact command.
deps:
	@if ! $(PKG_CONFIG) --exists $(LIBS_PC) 2>/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "make: installing $(DEB_PKGS)"; \
	    (apt-get install -y -q $(DEB_PKGS) >/dev/null 2>&1 || \
	     (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q $(DEB_PKGS) >/dev/null)) || exit 1; \
	  else \
	    echo "escdb needs: sudo apt-get install $(DEB_PKGS)"; exit 1; \
	  fi; \
	fi

escdb: $(OBJ)
	$(CC) $(ALL_CFLAGS) -o $@ $(OBJ) $(LDLIBS)

build/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

build/asan/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(PC_CFLAGS) $(ASAN_FLAGS) -c -o $@ $<

build/asan/escdb: $(ASAN_OBJ)
	$(CC) $(BASEFLAGS) $(ASAN_FLAGS) -o $@ $(ASAN_OBJ) $(LDLIBS)

asan: deps build/asan/escdb

# Unit tests: tests/unit/test_NAME.c, linked with the library objects.
UNIT_SRC = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN = $(patsubst tests/unit/%.c,build/unit/%,$(UNIT_SRC))
UNIT_ASAN_BIN = $(patsubst tests/unit/%.c,build/unit-asan/%,$(UNIT_SRC))
LIB_OBJ = $(patsubst %.c,build/obj/%.o,$(LIB_SRC))
LIB_ASAN_OBJ = $(patsubst %.c,build/asan/%.o,$(LIB_SRC))

build/unit/%: tests/unit/%.c $(LIB_OBJ) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB_OBJ) $(LDLIBS)

build/unit-asan/%: tests/unit/%.c $(LIB_ASAN_OBJ) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(PC_CFLAGS) $(ASAN_FLAGS) -o $@ $< $(LIB_ASAN_OBJ) $(LDLIBS)

# make check: every test, in the normal build and under ASan+UBSan.
check: deps escdb build/asan/escdb $(UNIT_BIN) $(UNIT_ASAN_BIN)
	@sh tests/testdeps.sh
	@sh tests/run.sh

bench: deps escdb
	@sh tests/bench.sh

demo: deps escdb
	@sh tests/demo.sh

# make report: the demo history (testdata/history.sh) and its trend page.
report: escdb
	sh testdata/history.sh report.html

# make screenshot: the demo history with long package names and a gap
# week (HISTORY_LONG=1) rendered by headless Chromium, light and dark, into
# docs/report.png and docs/report-dark.png (not part of check).
CHROMIUM_FLAGS = --headless --no-sandbox --disable-gpu --disable-background-networking \
	--disable-component-update --disable-sync --no-first-run --hide-scrollbars \
	--window-size=1200,1600
screenshot: escdb
	@command -v chromium >/dev/null || { if [ "$$(id -u)" = 0 ]; then apt-get install -y -q chromium >/dev/null; \
	  else echo "make screenshot needs: sudo apt-get install chromium"; exit 1; fi; }
	@mkdir -p docs
	HISTORY_LONG=1 sh testdata/history.sh report.html >/dev/null
	chromium $(CHROMIUM_FLAGS) --user-data-dir=$$(mktemp -d) \
	  --screenshot=docs/report.png file://$$PWD/report.html
	chromium $(CHROMIUM_FLAGS) --user-data-dir=$$(mktemp -d) --force-dark-mode \
	  --blink-settings=preferredColorScheme=0 --screenshot=docs/report-dark.png file://$$PWD/report.html

# make fuzz: libFuzzer targets tests/fuzz/fuzz_NAME.c (clang), each run for
# FUZZ_SECONDS on a seed corpus built from testdata into build/fuzz/.
# make check runs them briefly through tests/t_fuzz.sh.
FUZZ_SECONDS ?= 300
FUZZ_RUNS ?=
FUZZ_CC ?= clang
FUZZ_SRC = $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN = $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))
FUZZ_LIB = $(wildcard lib/*.c parser/*.c)
FUZZ_FLAGS = -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer

build/fuzz/%: tests/fuzz/%.c $(FUZZ_LIB) $(HDRS) tests/fuzz/walk.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(BASEFLAGS) $(PC_CFLAGS) $(FUZZ_FLAGS) -o $@ $< $(FUZZ_LIB) $(LDLIBS)

fuzz-build: $(FUZZ_BIN)

fuzz: deps fuzz-build
	@FUZZ_RUNS=$(FUZZ_RUNS) sh tests/fuzz/run.sh $(FUZZ_SECONDS)

install: escdb
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 escdb $(DESTDIR)$(BINDIR)/escdb
	install -m 644 man/escdb.1 $(DESTDIR)$(MANDIR)/man1/escdb.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/escdb $(DESTDIR)$(MANDIR)/man1/escdb.1

lint:
	mandoc -Tlint -Wwarning man/escdb.1

clean:
	rm -rf build escdb
