/* Disassembly of host code for --log=out_asm, shared by the host backends. capstone is loaded
 * with dlopen on first use, so a run that never disassembles neither maps nor relocates it:
 * linked in, its tables cost 3 MiB of resident memory and part of a millisecond at every
 * start, which matters most to vm boot --accel=kvm's start-up. */
#ifndef VM_HOST_DISAS_H
#define VM_HOST_DISAS_H

#include <stddef.h>
#include <stdint.h>

enum host_disas_isa { HOST_DISAS_X86_64, HOST_DISAS_AARCH64 };

/* Disassembles the first instruction of code[0..len) at addr into out ("mnemonic operands"):
 * its size, or 0 when it cannot (no capstone on this host, or not an instruction). */
size_t host_disas(enum host_disas_isa isa, const uint8_t *code, size_t len, uint64_t addr,
                  char *out, size_t outlen);

#endif
