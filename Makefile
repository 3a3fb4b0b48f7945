# Front door of the kernel-owned pages series: see README.md.
SHELL := /bin/bash
SCRIPTS := $(CURDIR)/scripts

# The stages share the cache (tree, build directories, results): never run them in parallel.
.NOTPARALLEL:
.PHONY: help deps src srcdir export kernel tooling lint kunit vmtest variant arch check check-arch run shell bench
help:
	@echo 'make run     fetch the base, apply the series, build, boot it in QEMU and run the demo'
	@echo 'make check   tooling + lint + kunit + vmtest + variant, ending with "N passed, N failed, N skipped"'
	@echo 'make tooling the result parser scripts/ktap.py tested against recorded logs'
	@echo 'make src     git tree of the pinned base with patches/ applied (make -s srcdir prints it)'
	@echo 'make export  git format-patch the tree back into patches/'
	@echo 'make lint    series applies, checkpatch --strict, kernel-doc, each patch compiles the objects it touches'
	@echo 'make kunit   KUnit suites on UML and on x86_64 (QEMU TCG)'
	@echo 'make vmtest  selftests in the QEMU guest'
	@echo 'make variant the second test kernel: misuse module (expects its WARN and BUG), perf on vmalloc'
	@echo 'make arch    the series on riscv64 no-MMU, i386 highmem (KUnit) and arm64 (KUnit)'
	@echo 'make kernel  build the x86_64 guest kernel'
	@echo 'make shell   interactive shell in the patched kernel'
	@echo 'make bench   map+unmap benchmark: ratios against vm_insert_pages_prot() (BOOTS=3)'

deps:
	@$(SCRIPTS)/deps.sh
src: deps
	@$(SCRIPTS)/src.sh
srcdir:
	@KOP_CACHE_LOCKED=1 . $(SCRIPTS)/lib.sh && echo "$$SRC"
export:
	@$(SCRIPTS)/export.sh
kernel: deps
	@$(SCRIPTS)/build-kernel.sh
tooling:
	@$(SCRIPTS)/tooling.sh
lint: deps
	@$(SCRIPTS)/lint.sh
kunit: deps
	@$(SCRIPTS)/kunit.sh
vmtest: deps
	@$(SCRIPTS)/vmtest.sh
variant: deps
	@$(SCRIPTS)/variant.sh
arch: deps
	@$(SCRIPTS)/arch.sh
check: deps
	@$(SCRIPTS)/check.sh
check-arch: deps
	@STAGES=arch $(SCRIPTS)/check.sh
run: deps
	@$(SCRIPTS)/run-demo.sh
shell: kernel
	@$(SCRIPTS)/vm-run.sh --shell --append kunit.enable=0
bench: deps
	@$(SCRIPTS)/bench.sh
