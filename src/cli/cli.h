/* The `vm` command's subcommands: one file each, dispatched from the table in main.c. */
#ifndef VM_CLI_CLI_H
#define VM_CLI_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "core/machine.h"
#include "core/registry.h"

int cmd_run(int argc, char **argv);
void cmd_run_help(void);
int cmd_boot(int argc, char **argv);
void cmd_boot_help(void);
int cmd_binfmt(int argc, char **argv);
void cmd_binfmt_help(void);
/* vm started by binfmt_misc (argv[0] names vm-binfmt): run the program it names. */
bool cli_invoked_by_binfmt(const char *argv0);
int cmd_binfmt_exec(int argc, char **argv);

/* A machine observer printing `vm: stats:` lines (translation, code cache, IR passes) to
 * stderr when the machine stops. */
void cli_print_stats(struct machine *m, enum machine_state old, void *opaque);
/* "64M", "512K", "1G", "1T" or bytes, from 1 to max: 0 with *out, or -EINVAL. */
int cli_parse_size(const char *v, uint64_t max, uint64_t *out);
/* The engine named by --engine (`spelling` is how the user wrote the option): a JIT engine on
 * a host without a JIT backend is the interpreter, after one line on stderr saying so; NULL
 * for a name no host has. */
const struct engine_ops *cli_engine(const char *name, const char *spelling);

#endif
