/* SPDX-License-Identifier: Apache-2.0 */
/*
 * otaflow-image: what the subcommands share. Host code (stdio, malloc).
 *
 * Every subcommand is `int cmd_<name>(int argc, char **argv)` with argv[0] = its name; it
 * returns the process exit status: 0 on success, TOOL_EXIT_FAIL after printing exactly one
 * line "otaflow-image: <subcommand>: <reason>" on stderr, TOOL_EXIT_USAGE for bad usage.
 */
#ifndef OTAFLOW_TOOL_H
#define OTAFLOW_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "memmap.h"
#include "otaflow/crypto.h"

#define TOOL_EXIT_OK 0
#define TOOL_EXIT_FAIL 1  /**< the input or the environment is wrong */
#define TOOL_EXIT_USAGE 2 /**< the command line is wrong */

/* PIC32MZ W1 application region: the defaults of hex2bin and pack (docs/design.md §4). */
#define TOOL_DEFAULT_BASE 0x10020000UL
#define TOOL_DEFAULT_SIZE 0xDF000UL
/* The emulated Cortex-M4 board's application region (docs/firmware.md): pack takes a HEX
 * whose data starts in [base, base + TOOL_DEFAULT_SIZE) from this base, without --load-addr. */
#define TOOL_CM_PAYLOAD_BASE 0x00020000UL

/** Print "otaflow-image: <cmd>: <reason>" as one line on stderr. Returns TOOL_EXIT_FAIL. */
int tool_fail(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** Same as tool_fail, for command-line mistakes; returns TOOL_EXIT_USAGE. */
int tool_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** Format a one-line reason into why[why_len] for the caller to report. Returns -1, the
 *  failure of the functions that take a why[]. */
int tool_why(char *why, size_t why_len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/** Print "otaflow-image: <cmd>: note: <text>" as one line on stderr: something left out of a
 *  successful run that the user should know about. */
void tool_note(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** Parse a 32-bit unsigned number: decimal or 0x-prefixed hexadecimal, nothing else. */
bool tool_parse_u32(const char *text, uint32_t *out);

/* Command-line options ----------------------------------------------------------------- */

/** One option a subcommand accepts: "--name VALUE" (or "--name=VALUE") or a flag "--name". */
typedef struct tool_option {
    const char *name;  /**< without the leading "--" */
    bool takes_value;
    const char **value; /**< set when takes_value (NULL when the option is absent) */
    bool *flag;         /**< set to true when !takes_value */
} tool_option_t;

/** Outcome of tool_parse_args. */
typedef enum tool_args_result {
    TOOL_ARGS_OK = 0,
    TOOL_ARGS_HELP = 1,   /**< --help was given: print the help and exit 0 */
    TOOL_ARGS_ERROR = -1, /**< a one-line reason was printed; exit TOOL_EXIT_USAGE */
} tool_args_result_t;

/**
 * Parse argv[1..argc) (argv[0] is the subcommand name, used in messages) against opts
 * (terminated by an entry with name NULL). Non-option words are stored in positional[]; exactly
 * n_positional of them are required.
 */
tool_args_result_t tool_parse_args(int argc, char **argv, const tool_option_t *opts,
                                   const char **positional, int n_positional);

/**
 * A subcommand's command line: tool_parse_args, with --help printing help on stdout. Returns
 * true when the subcommand goes on; false when it returns *exit_status (TOOL_EXIT_OK after the
 * help, TOOL_EXIT_USAGE after a mistake's one-line reason).
 */
bool tool_args(int argc, char **argv, const tool_option_t *opts, const char **positional,
               int n_positional, const char *help, int *exit_status);

/** Whether path ends in suffix, compared without regard to case (".hex", ".ota"). */
bool tool_name_ends_with(const char *path, const char *suffix);

/* Files -------------------------------------------------------------------------------- */

/** Read a whole file into a malloc'd buffer (*out, *len). Returns 0, or -1 with errno set. */
int tool_read_file(const char *path, uint8_t **out, size_t *len);

/**
 * Write len bytes to path through a temporary file in the same directory, fsync'd, renamed
 * over path, and the directory fsync'd: a reader never sees a half-written file, and once this
 * returns 0 the new content survives a power cut. Returns 0, or -1 with errno set.
 */
int tool_write_file(const char *path, const void *data, size_t len);

/** tool_write_file with the file's permission bits (less the umask): 0600 for a secret. */
int tool_write_file_mode(const char *path, const void *data, size_t len, unsigned mode);

/**
 * tool_write_file without the fsync: for an output the same command makes again from its
 * inputs (an image, a binary, a patch). A reader still never sees it half-written; after a
 * power cut it may be missing or empty, and is made again. Publication state (manifests,
 * signatures) and keys, which cannot be, go through tool_write_file (docs/decisions.md).
 */
int tool_write_output(const char *path, const void *data, size_t len);

/** A file being written piece by piece into a temporary file, renamed over path at commit:
 *  what tool_write_file does, for an output too large to hold whole in memory. */
typedef struct tool_output {
    const char *path; /**< the caller's: must outlive the output */
    char *tmp;        /**< the temporary file next to it */
    FILE *f;
} tool_output_t;

/** Create the temporary file. Returns 0, or -1 with errno set (nothing to clean up then). */
int tool_output_open(tool_output_t *out, const char *path);

/** Append len bytes. Returns 0, or -1 with errno set (then tool_output_abort). */
int tool_output_write(tool_output_t *out, const void *data, size_t len);

/** Flush (and with durable, fsync), give the file mode (less the umask) and rename it over
 *  path. Returns 0, or -1 with errno set; the temporary file is gone either way. */
int tool_output_commit(tool_output_t *out, unsigned mode, bool durable);

/** Drop the temporary file. */
void tool_output_abort(tool_output_t *out);

/** Lowercase hex of n bytes into out (2n+1 chars with the terminating NUL). */
void tool_hex(const uint8_t *bytes, size_t n, char *out);

/** Whether s is a C identifier (for --name of the generated tables). */
bool tool_c_identifier(const char *s);

/** n bytes as a C initializer list, 12 to a line ("0x12, 0x34,", indented). */
void tool_c_bytes(FILE *f, const uint8_t *p, size_t n);

/** SHA-256 of a buffer into out; a failed hash engine (not on a host) aborts the tool. */
void tool_sha256(const void *data, size_t len, uint8_t out[OTA_SHA256_SIZE]);

/** SHA-256 of a buffer as 64 lowercase hex characters plus NUL. */
void tool_sha256_hex(const void *data, size_t len, char out[65]);

/* KSEG addresses (PIC32): 0x80000000-0x9FFFFFFF (KSEG0) and 0xA0000000-0xBFFFFFFF (KSEG1)
 * are views of the physical 0x00000000-0x1FFFFFFF. */
/** Physical address of addr: KSEG0/KSEG1 addresses lose their top three bits; others unchanged. */
uint32_t tool_kseg_to_physical(uint32_t addr);

/* Intel HEX to a flat region (hex2bin, pack) ------------------------------------------- */

/* The PIC32's boot flash segment (physical; KSEG1 0xBFC00000 is the MIPS reset vector): boot
 * flash, the configuration words XC32 puts in every build (e.g. 0x1FC55E88 on the PIC32MZ W1)
 * and their aliases. Never written by an update: data there is left out of an update image. */
#define TOOL_PIC32_BOOT_FIRST 0x1FC00000UL
#define TOOL_PIC32_BOOT_LAST 0x1FFFFFFFUL

/** How a hex file becomes the bytes of a region. */
typedef struct tool_region {
    uint32_t base;  /**< first address of the region (after KSEG mapping when kseg) */
    uint32_t size;  /**< region size: data outside [base, base + size) is an error, except in
                         the PIC32 boot flash segment or with clip: then it is left out */
    bool pad;       /**< output is exactly size bytes; else trimmed after the last data byte */
    bool kseg;      /**< map KSEG0/KSEG1 addresses (records and base) to physical first */
    bool clip;      /**< leave out data outside the region instead of refusing it */
} tool_region_t;


/** What tool_hex_to_region left out of the region. */
typedef struct tool_left_out {
    memmap_span_t boot;    /**< in the PIC32 boot flash segment (always left out) */
    memmap_span_t clipped; /**< elsewhere outside the region (left out because of clip) */
} tool_left_out_t;

/**
 * Read the Intel HEX file at path into a malloc'd flat binary starting at region->base, gaps
 * 0xFF; left (may be NULL) says what was left out. On failure prints the one-line reason
 * (prefixed with cmd) and returns TOOL_EXIT_FAIL.
 */
int tool_hex_to_region(const char *cmd, const char *path, const tool_region_t *region,
                       uint8_t **out, size_t *out_len, tool_left_out_t *left);

/** Data at [lo, end), outside the region: counted in left if it is left out (the PIC32 boot
 *  flash segment always, anything with region->clip); false if it is refused. */
bool tool_leave_out(const tool_region_t *region, tool_left_out_t *left, uint32_t lo,
                    uint64_t end);

/**
 * hex2bin's fast path: the same conversion streamed into the file out_path (renamed into
 * place, not fsynced), in a few MB of memory. Returns 0 (*out_len bytes written, left says
 * what was left out), or -1 without a message and without touching out_path: for any
 * problem, which tool_hex_to_region then reports.
 */
int tool_hex_to_file(const char *path, const tool_region_t *region, const char *out_path,
                     size_t *out_len, tool_left_out_t *left);

/** One note line on stderr for each kind of data left out ("otaflow-image: CMD: note: ..."). */
void tool_note_left_out(const char *cmd, const char *path, const tool_left_out_t *left);

/** The lowest address the Intel HEX file at path writes (as in the file: no KSEG mapping).
 *  Returns 0, or -1 (silently) if the file cannot be read or holds no data: the caller's
 *  conversion then reports why. */
int tool_hex_lowest(const char *path, uint32_t *lowest);

/* Subcommands -------------------------------------------------------------------------- */
int cmd_hex2bin(int argc, char **argv);
int cmd_pack(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_manifest(int argc, char **argv);
int cmd_manifest_sign(int argc, char **argv);   /* manifest sign (argv[0] = "sign") */
int cmd_manifest_verify(int argc, char **argv); /* manifest verify */
int cmd_merge(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_pubkey_c(int argc, char **argv);
int cmd_privkey_c(int argc, char **argv);
int cmd_diff(int argc, char **argv);  /* cmd_diff.c: patches (docs/delta.md) */
int cmd_patch(int argc, char **argv);

#endif /* OTAFLOW_TOOL_H */
