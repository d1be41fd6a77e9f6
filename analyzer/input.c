/* SPDX-License-Identifier: MIT */
/*
 * input.c: turning the paths a user names into a stream of messages.
 *
 * A path is a message file, an mbox, a maildir, a directory of any of these
 * (walked recursively in sorted order), or "-" for standard input. Files are
 * opened read-only (and without updating the access time where the system
 * allows it): the input is evidence. Directories are expanded only when
 * reached, and one file is read at a time, so the memory held is that of
 * the message being read.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mailtrail-private.h"
#include "mbox-private.h"

/* Directories nested deeper than this are not walked (a loop guard). */
#define MAX_DIR_DEPTH 64

typedef struct {
    char *path;
    MtInputFormat format;
    guint depth;
    /* The end of a named directory's contents in the queue, not a path to
     * read: when it comes up and nothing was read since the directory was
     * expanded (yielded == seen), the tree held no message. */
    gboolean dir_end;
    guint64 seen;
} Item;

struct _MtInput {
    MtLimits limits;
    GQueue items; /* Item* still to read */
    guint64 yielded; /* messages and errors handed out so far */
    MtMboxReader *reader;
    char *current_path;
    char *error_path;
};

static void
item_free(Item *item)
{
    g_free(item->path);
    g_free(item);
}

MtInput *
mt_input_new(const MtLimits *limits)
{
    MtInput *input = g_new0(MtInput, 1);

    input->limits = *limits;
    g_queue_init(&input->items);
    return input;
}

void
mt_input_free(MtInput *input)
{
    if (input == NULL)
        return;
    g_queue_clear_full(&input->items, (GDestroyNotify)item_free);
    mt_mbox_reader_free(input->reader);
    g_free(input->current_path);
    g_free(input->error_path);
    g_free(input);
}

void
mt_input_add(MtInput *input, const char *path, MtInputFormat format)
{
    Item *item = g_new0(Item, 1);

    item->path = g_strdup(path);
    item->format = format;
    g_queue_push_tail(&input->items, item);
}

static int
compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of a directory, sorted bytewise, "." and ".." left out. */
static GPtrArray *
list_dir(const char *path, GError **error)
{
    DIR *dir = opendir(path);
    GPtrArray *names;
    struct dirent *entry;

    if (dir == NULL) {
        g_set_error(error, MT_ERROR, MT_ERROR_IO, "cannot read directory: %s",
                    g_strerror(errno));
        return NULL;
    }
    names = g_ptr_array_new_with_free_func(g_free);
    while ((entry = readdir(dir)) != NULL) {
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
            continue;
        g_ptr_array_add(names, g_strdup(entry->d_name));
    }
    closedir(dir);
    g_ptr_array_sort(names, compare_names);
    return names;
}

/* lstat's idea of the kind, so that links out of a walked tree are not
 * followed into loops. */
static gboolean
is_kind(const char *path, mode_t kind)
{
    struct stat st;

    return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == kind;
}

static gboolean
is_maildir(const char *path)
{
    g_autofree char *cur = g_build_filename(path, "cur", NULL);
    g_autofree char *new_dir = g_build_filename(path, "new", NULL);

    return is_kind(cur, S_IFDIR) || is_kind(new_dir, S_IFDIR);
}

/* Puts what a directory holds at the front of the queue, in order. */
static gboolean
expand_dir(MtInput *input, const Item *dir_item, GError **error)
{
    g_autoptr(GPtrArray) names = NULL;
    GList *insert_before = input->items.head;
    gboolean maildir = is_maildir(dir_item->path);

    if (dir_item->depth >= MAX_DIR_DEPTH) {
        g_set_error(error, MT_ERROR, MT_ERROR_LIMIT,
                    "directory nested deeper than %d levels: not read",
                    MAX_DIR_DEPTH);
        return FALSE;
    }
    names = list_dir(dir_item->path, error);
    if (names == NULL)
        return FALSE;

    for (guint i = 0; i < names->len; i++) {
        const char *name = names->pdata[i];
        g_autofree char *child = g_build_filename(dir_item->path, name, NULL);
        Item *item;

        if (maildir) {
            /* A maildir: the messages are in cur/ and new/; tmp/ holds
             * deliveries in progress, and the rest is index and state
             * files of the mail server. Maildir++ folders (".Sent") are
             * maildirs of their own. */
            if (strcmp(name, "cur") == 0 || strcmp(name, "new") == 0) {
                g_autoptr(GPtrArray) files = list_dir(child, NULL);
                for (guint j = 0; files && j < files->len; j++) {
                    char *file =
                        g_build_filename(child, files->pdata[j], NULL);
                    if (!is_kind(file, S_IFREG)) {
                        g_free(file);
                        continue;
                    }
                    item = g_new0(Item, 1);
                    item->path = file;
                    item->format = MT_INPUT_FORMAT_MAILDIR;
                    item->depth = dir_item->depth + 1;
                    g_queue_insert_before(&input->items, insert_before, item);
                }
                continue;
            }
            if (name[0] != '.' || !is_kind(child, S_IFDIR) ||
                !is_maildir(child))
                continue;
        } else if (!is_kind(child, S_IFDIR) && !is_kind(child, S_IFREG)) {
            continue; /* links, sockets, devices */
        }
        item = g_new0(Item, 1);
        item->path = g_steal_pointer(&child);
        item->format = dir_item->format;
        item->depth = dir_item->depth + 1;
        g_queue_insert_before(&input->items, insert_before, item);
    }
    /* A directory the user named that gives nothing at all (empty, only
     * empty subdirectories, only links or devices) is an input that could
     * not be analyzed, said as such rather than skipped in silence. A
     * subdirectory without messages inside a tree is not: the tree as a
     * whole is what was asked for. */
    if (dir_item->depth == 0) {
        Item *end = g_new0(Item, 1);

        end->path = g_strdup(dir_item->path);
        end->dir_end = TRUE;
        end->seen = input->yielded;
        g_queue_insert_before(&input->items, insert_before, end);
    }
    return TRUE;
}

static int
open_read_only(const char *path)
{
    int fd;

    /* O_NOATIME keeps the evidence's access time; only the owner (or
     * root) may use it, so fall back without it. */
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOATIME);
    if (fd < 0 && errno == EPERM)
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    return fd;
}

static MtInputStatus
fail(MtInput *input, const char *path, const char **error_path)
{
    input->yielded++;
    g_free(input->error_path);
    input->error_path = g_strdup(path);
    *error_path = input->error_path;
    return MT_INPUT_ERROR;
}

MtInputStatus
mt_input_next(MtInput *input, MtRawMessage **raw, const char **error_path,
              GError **error)
{
    g_return_val_if_fail(raw != NULL && error_path != NULL, MT_INPUT_END);
    *raw = NULL;
    *error_path = NULL;

    for (;;) {
        Item *item;
        struct stat st;
        int fd;

        if (input->reader) {
            GError *local = NULL;
            *raw = mt_mbox_reader_next(input->reader, &local);
            if (*raw) {
                input->yielded++;
                return MT_INPUT_MESSAGE;
            }
            g_clear_pointer(&input->reader, mt_mbox_reader_free);
            if (local) {
                g_propagate_error(error, local);
                return fail(input, input->current_path, error_path);
            }
            continue;
        }

        item = g_queue_pop_head(&input->items);
        if (item == NULL)
            return MT_INPUT_END;
        g_free(input->current_path);
        input->current_path = g_strdup(item->path);

        if (item->dir_end) {
            gboolean empty = input->yielded == item->seen;

            item_free(item);
            if (!empty)
                continue;
            g_set_error(error, MT_ERROR, MT_ERROR_NOT_MESSAGE,
                        "no messages found in the directory");
            return fail(input, input->current_path, error_path);
        }
        if (strcmp(item->path, "-") == 0) {
            input->reader = mt_mbox_reader_new_fd("-", STDIN_FILENO, FALSE,
                                                  item->format,
                                                  &input->limits);
            item_free(item);
            continue;
        }
        if (stat(item->path, &st) != 0) {
            g_set_error(error, MT_ERROR, MT_ERROR_IO, "cannot open: %s",
                        g_strerror(errno));
            item_free(item);
            return fail(input, input->current_path, error_path);
        }
        if (S_ISDIR(st.st_mode)) {
            gboolean ok = expand_dir(input, item, error);
            item_free(item);
            if (!ok)
                return fail(input, input->current_path, error_path);
            continue;
        }
        fd = open_read_only(item->path);
        if (fd < 0) {
            g_set_error(error, MT_ERROR, MT_ERROR_IO, "cannot open: %s",
                        g_strerror(errno));
            item_free(item);
            return fail(input, input->current_path, error_path);
        }
        input->reader = mt_mbox_reader_new_fd(item->path, fd, TRUE,
                                              item->format, &input->limits);
        item_free(item);
    }
}
