/* The `vm` command's subcommands: one file each, dispatched from the table in main.c. */
#ifndef VM_CLI_CLI_H
#define VM_CLI_CLI_H

int cmd_run(int argc, char **argv);
void cmd_run_help(void);

#endif
