/* SPDX-License-Identifier: MIT */
/*
 * gmime-walk.c: the benchmark's baseline, the fastest simple walk of an
 * mbox with GMime that touches what mailtrail touches. For every message:
 * GMime's mbox parser, every header of every part read and RFC 2047
 * decoded, every leaf part's content decoded, and each leaf's decoded bytes
 * hashed with OpenSSL's SHA-256. Nothing is written. It prints the message
 * count and a checksum of the hashes so the work cannot be optimised away.
 *
 * Usage: gmime-walk MBOX
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gmime/gmime.h>
#include <openssl/evp.h>

static guint64 checksum;
static guint64 header_bytes;

static void
walk_headers(GMimeObject *object)
{
    GMimeHeaderList *headers = g_mime_object_get_header_list(object);
    int count = g_mime_header_list_get_count(headers);

    for (int i = 0; i < count; i++) {
        GMimeHeader *header = g_mime_header_list_get_header_at(headers, i);
        const char *raw = g_mime_header_get_raw_value(header);
        char *decoded = raw ? g_mime_utils_header_decode_text(NULL, raw)
                            : NULL;

        header_bytes += decoded ? strlen(decoded) : 0;
        g_free(decoded);
    }
}

static void
hash_leaf(GMimePart *part)
{
    GMimeDataWrapper *content = g_mime_part_get_content(part);
    GByteArray *bytes;
    GMimeStream *mem;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;

    if (content == NULL)
        return;
    bytes = g_byte_array_new();
    mem = g_mime_stream_mem_new_with_byte_array(bytes);
    g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
    g_mime_data_wrapper_write_to_stream(content, mem);
    EVP_Digest(bytes->data, bytes->len, digest, &digest_len, EVP_sha256(),
               NULL);
    checksum += digest[0] | (guint64)digest[1] << 8;
    g_object_unref(mem);
    g_byte_array_unref(bytes);
}

static void
visit(GMimeObject *parent, GMimeObject *part, gpointer user_data)
{
    walk_headers(part);
    if (GMIME_IS_MESSAGE_PART(part)) {
        GMimeMessage *m =
            g_mime_message_part_get_message(GMIME_MESSAGE_PART(part));
        if (m) {
            walk_headers(GMIME_OBJECT(m));
            g_mime_message_foreach(m, visit, NULL);
        }
    } else if (GMIME_IS_PART(part)) {
        hash_leaf(GMIME_PART(part));
    }
}

int
main(int argc, char **argv)
{
    GMimeStream *stream;
    GMimeParser *parser;
    guint64 messages = 0;
    int fd;

    if (argc != 2) {
        fprintf(stderr, "usage: gmime-walk MBOX\n");
        return 2;
    }
    fd = open(argv[1], O_RDONLY);
    if (fd < 0) {
        perror(argv[1]);
        return 2;
    }
    g_mime_init();
    stream = g_mime_stream_fs_new(fd);
    parser = g_mime_parser_new_with_stream(stream);
    g_mime_parser_set_format(parser, GMIME_FORMAT_MBOX);
    while (!g_mime_parser_eos(parser)) {
        GMimeMessage *message = g_mime_parser_construct_message(parser, NULL);

        if (message == NULL)
            break;
        walk_headers(GMIME_OBJECT(message));
        g_mime_message_foreach(message, visit, NULL);
        g_object_unref(message);
        messages++;
    }
    printf("%" G_GUINT64_FORMAT " messages, checksum %" G_GUINT64_FORMAT
           ", %" G_GUINT64_FORMAT " header bytes\n",
           messages, checksum, header_bytes);
    g_object_unref(parser);
    g_object_unref(stream);
    g_mime_shutdown();
    return 0;
}
