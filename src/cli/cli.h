/* The `vm` command's subcommands: one file each, dispatched from the table in main.c. */
#ifndef VM_CLI_CLI_H
#define VM_CLI_CLI_H

#include <stdbool.h>

int cmd_run(int argc, char **argv);
void cmd_run_help(void);
int cmd_binfmt(int argc, char **argv);
void cmd_binfmt_help(void);
/* vm started by binfmt_misc (argv[0] names vm-binfmt): run the program it names. */
bool cli_invoked_by_binfmt(const char *argv0);
int cmd_binfmt_exec(int argc, char **argv);

#endif
