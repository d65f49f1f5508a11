/* `vm`: the command-line entry point; finds the subcommand in a table and runs it. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/registry.h"

static const struct command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
    void (*help)(void);
} commands[] = {
    { "run", "run one Linux program of a guest ISA (user mode)", cmd_run, cmd_run_help },
    { "boot", "run a whole RISC-V machine (system mode)", cmd_boot, cmd_boot_help },
    { "binfmt", "register vm with binfmt_misc to run guest programs directly", cmd_binfmt,
      cmd_binfmt_help },
};

static void usage(FILE *f)
{
    fprintf(f, "usage: vm COMMAND [OPTIONS] ...\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nguest ISAs built in:");
    for (unsigned i = 0; guest_at(i); i++)
        fprintf(f, " %s", guest_at(i)->name);
    fprintf(f, "\n\n'vm COMMAND --help' describes a command; 'vm --version' prints the version.\n");
}

int main(int argc, char **argv)
{
    if (cli_invoked_by_binfmt(argv[0]))
        return cmd_binfmt_exec(argc, argv);
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("vm %s\n", VM_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "vm: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
