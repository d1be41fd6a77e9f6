/* SPDX-License-Identifier: MIT */
/*
 * test-received.c: the Received parser against the formats real relays
 * write, one table row per header. Each row names every field of
 * MtReceived it expects; a field the row leaves out is expected to be
 * NULL (or -1, FALSE), so a parser that starts inventing values fails as
 * surely as one that loses them. The inputs are written for this test in
 * the shapes of Postfix, Exim, Sendmail, qmail, Exchange, Gmail, Yahoo,
 * Zimbra, Courier, SES, SendGrid, Domino, Dovecot, iCloud, Mimecast,
 * Proofpoint, fetchmail, getmail and others, with documentation addresses
 * (RFC 5737, RFC 3849) and example domains. Then come hostile inputs,
 * checked for bounded work by comparing a size with ten times that size,
 * and the JSON shape of mt_json_received().
 */
#include <string.h>

#include <jansson.h>

#include "mailtrail.h"
#include "reports.h"

typedef struct {
    const char *in;
    const char *raw; /* NULL: the same as in */
    gboolean x_received;
    const char *helo, *rdns, *ip;
    int port; /* 0: not written, so -1 is expected (no client uses port 0) */
    const char *ident, *helo_command;
    const char *by_host, *by_ip, *software;
    const char *via, *with, *tls_version, *tls_cipher;
    gboolean tls, authenticated;
    const char *auth_user, *id, *for_addr, *envelope_from;
    const char *date;
    const char *utc; /* NULL: the date must not be readable */
    int tz;
    guint flags;
    const char *unparsed;
} Case;

static const Case cases[] = {

    /* Postfix */
    {.in = "from mail.example.org (mail.example.org [192.0.2.10]) by "
        "mx.example.net (Postfix) with ESMTPS id 4Vd1Lk3Z7Rz9sTm for "
        "<alice@example.net>; Mon, 15 Jan 2024 10:22:31 +0100 (CET)",
     .helo = "mail.example.org",
     .rdns = "mail.example.org",
     .ip = "192.0.2.10",
     .by_host = "mx.example.net",
     .software = "Postfix",
     .with = "ESMTPS",
     .tls = TRUE,
     .id = "4Vd1Lk3Z7Rz9sTm",
     .for_addr = "alice@example.net",
     .date = "Mon, 15 Jan 2024 10:22:31 +0100 (CET)",
     .utc = "2024-01-15T09:22:31Z", .tz = 60,
    },
    {.in = "from smtp.example.org (unknown [198.51.100.7]) by mx.example.net "
        "(Postfix) with ESMTP id 7F2A33E0B1; Tue,  2 Jan 2024 08:00:01 +0000 "
        "(UTC)",
     .helo = "smtp.example.org",
     .rdns = "unknown",
     .ip = "198.51.100.7",
     .by_host = "mx.example.net",
     .software = "Postfix",
     .with = "ESMTP",
     .id = "7F2A33E0B1",
     .date = "Tue, 2 Jan 2024 08:00:01 +0000 (UTC)",
     .utc = "2024-01-02T08:00:01Z", .tz = 0,
    },
    {.in = "from laptop.local (dsl-203-0-113-45.example.net [203.0.113.45]) "
        "(Authenticated sender: bob@example.org) by smtp.example.org (Postfix) "
        "with ESMTPSA id 3B1C22A0F for <carol@example.com>; Wed, 10 Jan 2024 "
        "17:45:12 -0500 (EST)",
     .helo = "laptop.local",
     .rdns = "dsl-203-0-113-45.example.net",
     .ip = "203.0.113.45",
     .by_host = "smtp.example.org",
     .software = "Postfix",
     .with = "ESMTPSA",
     .tls = TRUE,
     .authenticated = TRUE,
     .auth_user = "bob@example.org",
     .id = "3B1C22A0F",
     .for_addr = "carol@example.com",
     .date = "Wed, 10 Jan 2024 17:45:12 -0500 (EST)",
     .utc = "2024-01-10T22:45:12Z", .tz = -300,
    },
    {.in = "from mail.example.com (mail.example.com [192.0.2.25]) (using "
        "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) "
        "key-exchange X25519 server-signature RSA-PSS (2048 bits) "
        "server-digest SHA256) (No client certificate requested) by "
        "mx.example.org (Postfix) with ESMTPS id 4TQ0xY2mF8z4wQn for "
        "<dave@example.org>; Thu, 11 Jan 2024 09:15:00 +0000 (UTC)",
     .helo = "mail.example.com",
     .rdns = "mail.example.com",
     .ip = "192.0.2.25",
     .by_host = "mx.example.org",
     .software = "Postfix",
     .with = "ESMTPS",
     .tls_version = "TLSv1.3",
     .tls_cipher = "TLS_AES_256_GCM_SHA384",
     .tls = TRUE,
     .id = "4TQ0xY2mF8z4wQn",
     .for_addr = "dave@example.org",
     .date = "Thu, 11 Jan 2024 09:15:00 +0000 (UTC)",
     .utc = "2024-01-11T09:15:00Z", .tz = 0,
    },
    {.in = "from relay.example.com (relay.example.com [2001:db8:10::25]) "
        "(using TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 "
        "bits)) (Client did not present a certificate) by mx.example.org "
        "(Postfix) with ESMTPS id 9A8B7C6D5E; Fri, 12 Jan 2024 11:11:11 +0200 "
        "(EET)",
     .helo = "relay.example.com",
     .rdns = "relay.example.com",
     .ip = "2001:db8:10::25",
     .by_host = "mx.example.org",
     .software = "Postfix",
     .with = "ESMTPS",
     .tls_version = "TLSv1.2",
     .tls_cipher = "ECDHE-RSA-AES256-GCM-SHA384",
     .tls = TRUE,
     .id = "9A8B7C6D5E",
     .date = "Fri, 12 Jan 2024 11:11:11 +0200 (EET)",
     .utc = "2024-01-12T09:11:11Z", .tz = 120,
    },
    {.in = "by mx.example.org (Postfix, from userid 1000) id 5C3D1A20F1; Sat, "
        "13 Jan 2024 12:00:00 +0000 (UTC)",
     .ident = "userid 1000",
     .by_host = "mx.example.org",
     .software = "Postfix",
     .id = "5C3D1A20F1",
     .date = "Sat, 13 Jan 2024 12:00:00 +0000 (UTC)",
     .utc = "2024-01-13T12:00:00Z", .tz = 0,
    },
    {.in = "by mail.example.com (Postfix) id 6D4E2B31A2; Sun, 14 Jan 2024 "
        "06:30:00 -0800 (PST)",
     .by_host = "mail.example.com",
     .software = "Postfix",
     .id = "6D4E2B31A2",
     .date = "Sun, 14 Jan 2024 06:30:00 -0800 (PST)",
     .utc = "2024-01-14T14:30:00Z", .tz = -480,
    },
    {.in = "from localhost (localhost [127.0.0.1]) by mail.example.com "
        "(Postfix) with ESMTP id 11AA22BB33 for <root@example.com>; Mon, 15 "
        "Jan 2024 00:00:00 +0000 (UTC)",
     .helo = "localhost",
     .rdns = "localhost",
     .ip = "127.0.0.1",
     .by_host = "mail.example.com",
     .software = "Postfix",
     .with = "ESMTP",
     .id = "11AA22BB33",
     .for_addr = "root@example.com",
     .date = "Mon, 15 Jan 2024 00:00:00 +0000 (UTC)",
     .utc = "2024-01-15T00:00:00Z", .tz = 0,
    },
    {.in = "from client.example.net (client.example.net [192.0.2.77]:52344) by "
        "mx.example.com (Postfix) with ESMTP id 8E7F6A5B4C; Mon, 15 Jan 2024 "
        "01:02:03 +0000",
     .helo = "client.example.net",
     .rdns = "client.example.net",
     .ip = "192.0.2.77",
     .port = 52344,
     .by_host = "mx.example.com",
     .software = "Postfix",
     .with = "ESMTP",
     .id = "8E7F6A5B4C",
     .date = "Mon, 15 Jan 2024 01:02:03 +0000",
     .utc = "2024-01-15T01:02:03Z", .tz = 0,
    },
    {.in = "from mail.example.org (mail.example.org [192.0.2.10]) (Client CN "
        "\"mail.example.org\", Issuer \"R3\" (verified OK)) by mx.example.net "
        "(Postfix) with UTF8SMTPS id 4Vd2Kl; Mon, 15 Jan 2024 10:22:31 +0100",
     .helo = "mail.example.org",
     .rdns = "mail.example.org",
     .ip = "192.0.2.10",
     .by_host = "mx.example.net",
     .software = "Postfix",
     .with = "UTF8SMTPS",
     .tls = TRUE,
     .id = "4Vd2Kl",
     .date = "Mon, 15 Jan 2024 10:22:31 +0100",
     .utc = "2024-01-15T09:22:31Z", .tz = 60,
    },
    {.in = "from [192.0.2.99] (unknown [192.0.2.99]) by submit.example.org "
        "(Postfix) with ESMTPSA id 0F1E2D3C4B for <x@example.com>; Mon, 15 Jan "
        "2024 10:22:31 +0100",
     .helo = "[192.0.2.99]",
     .rdns = "unknown",
     .ip = "192.0.2.99",
     .by_host = "submit.example.org",
     .software = "Postfix",
     .with = "ESMTPSA",
     .tls = TRUE,
     .authenticated = TRUE,
     .id = "0F1E2D3C4B",
     .for_addr = "x@example.com",
     .date = "Mon, 15 Jan 2024 10:22:31 +0100",
     .utc = "2024-01-15T09:22:31Z", .tz = 60,
    },
    {.in = "Received: from mx.example.com (mx.example.com [198.51.100.20]) by "
        "mail.example.org (Postfix) with ESMTP id ABCDEF0123; Tue, 16 Jan 2024 "
        "14:00:00 +0000",
     .raw = "from mx.example.com (mx.example.com [198.51.100.20]) by "
         "mail.example.org (Postfix) with ESMTP id ABCDEF0123; Tue, 16 Jan "
         "2024 14:00:00 +0000",
     .helo = "mx.example.com",
     .rdns = "mx.example.com",
     .ip = "198.51.100.20",
     .by_host = "mail.example.org",
     .software = "Postfix",
     .with = "ESMTP",
     .id = "ABCDEF0123",
     .date = "Tue, 16 Jan 2024 14:00:00 +0000",
     .utc = "2024-01-16T14:00:00Z", .tz = 0,
    },
    {.in = "from mail-eopbgr80071.outbound.protection.outlook.com "
        "(mail-eopbgr80071.outbound.protection.outlook.com [198.51.100.71]) by "
        "mx.example.org (Postfix) with ESMTPS id 4TRbcd for <u@example.org>; "
        "Tue, 16 Jan 2024 14:00:00 +0000 (UTC)",
     .helo = "mail-eopbgr80071.outbound.protection.outlook.com",
     .rdns = "mail-eopbgr80071.outbound.protection.outlook.com",
     .ip = "198.51.100.71",
     .by_host = "mx.example.org",
     .software = "Postfix",
     .with = "ESMTPS",
     .tls = TRUE,
     .id = "4TRbcd",
     .for_addr = "u@example.org",
     .date = "Tue, 16 Jan 2024 14:00:00 +0000 (UTC)",
     .utc = "2024-01-16T14:00:00Z", .tz = 0,
    },
    {.in = "from bogus.example.net (bogus.example.net [192.0.2.10.107]) by "
        "mx.example.org (Postfix) with ESMTP id 0A1B2C; Tue, 16 Jan 2024 "
        "14:00:00 +0000",
     .helo = "bogus.example.net",
     .by_host = "mx.example.org",
     .software = "Postfix",
     .with = "ESMTP",
     .id = "0A1B2C",
     .date = "Tue, 16 Jan 2024 14:00:00 +0000",
     .utc = "2024-01-16T14:00:00Z", .tz = 0,
     .unparsed = "(bogus.example.net [192.0.2.10.107])",
    },
    {.in = "from [192.0.2.25] (unknown [198.51.100.2]) by smtp.example.net "
        "(Postfix) whith ESMTP id AAAA22; Thu, 17 Jul 2017 23:34:45 +0900 "
        "(JST)",
     .helo = "[192.0.2.25]",
     .rdns = "unknown",
     .ip = "198.51.100.2",
     .by_host = "smtp.example.net",
     .software = "Postfix",
     .id = "AAAA22",
     .date = "Thu, 17 Jul 2017 23:34:45 +0900 (JST)",
     .utc = "2017-07-17T14:34:45Z", .tz = 540,
     .flags = MT_DATE_BAD_DAY_NAME,
     .unparsed = "whith ESMTP",
    },

    /* Exim */
    {.in = "from mail.example.org ([192.0.2.10]) by mx.example.net with esmtps "
        "(TLS1.3) tls TLS_AES_256_GCM_SHA384 (Exim 4.96) (envelope-from "
        "<bounce@example.org>) id 1rPqRs-000AbC-2x for alice@example.net; Mon, "
        "15 Jan 2024 10:22:31 +0000",
     .helo = "mail.example.org",
     .ip = "192.0.2.10",
     .by_host = "mx.example.net",
     .software = "Exim 4.96",
     .with = "esmtps",
     .tls_version = "TLS1.3",
     .tls_cipher = "TLS_AES_256_GCM_SHA384",
     .tls = TRUE,
     .id = "1rPqRs-000AbC-2x",
     .for_addr = "alice@example.net",
     .envelope_from = "bounce@example.org",
     .date = "Mon, 15 Jan 2024 10:22:31 +0000",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
    },
    {.in = "from [192.0.2.55] (helo=client.example.com) by mx.example.net with "
        "esmtp (Exim 4.94.2) (envelope-from <bob@example.com>) id "
        "1rAbCd-0001Xy-Zz for carol@example.net; Tue, 16 Jan 2024 08:00:00 "
        "+0100",
     .helo = "client.example.com",
     .ip = "192.0.2.55",
     .by_host = "mx.example.net",
     .software = "Exim 4.94.2",
     .with = "esmtp",
     .id = "1rAbCd-0001Xy-Zz",
     .for_addr = "carol@example.net",
     .envelope_from = "bob@example.com",
     .date = "Tue, 16 Jan 2024 08:00:00 +0100",
     .utc = "2024-01-16T07:00:00Z", .tz = 60,
    },
    {.in = "from host.example.org ([192.0.2.66]:41234 helo=mail.example.org) "
        "by mx.example.net with esmtpsa (TLS1.2) tls "
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (Exim 4.95) (envelope-from "
        "<dave@example.org>) id 1rXyZw-0002Ab-Cd; Wed, 17 Jan 2024 09:09:09 "
        "+0000",
     .helo = "mail.example.org",
     .rdns = "host.example.org",
     .ip = "192.0.2.66",
     .port = 41234,
     .by_host = "mx.example.net",
     .software = "Exim 4.95",
     .with = "esmtpsa",
     .tls_version = "TLS1.2",
     .tls_cipher = "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
     .tls = TRUE,
     .authenticated = TRUE,
     .id = "1rXyZw-0002Ab-Cd",
     .envelope_from = "dave@example.org",
     .date = "Wed, 17 Jan 2024 09:09:09 +0000",
     .utc = "2024-01-17T09:09:09Z", .tz = 0,
    },
    {.in = "from alice by host.example.net with local (Exim 4.96) "
        "(envelope-from <alice@host.example.net>) id 1rLoCa-0003Qw-Er; Thu, 18 "
        "Jan 2024 10:10:10 +0000",
     .ident = "alice",
     .by_host = "host.example.net",
     .software = "Exim 4.96",
     .with = "local",
     .id = "1rLoCa-0003Qw-Er",
     .envelope_from = "alice@host.example.net",
     .date = "Thu, 18 Jan 2024 10:10:10 +0000",
     .utc = "2024-01-18T10:10:10Z", .tz = 0,
    },
    {.in = "from mail.example.com ([198.51.100.4]) by mx.example.org with "
        "esmtps (TLSv1.2:ECDHE-RSA-AES256-GCM-SHA384:256) (Exim 4.87) "
        "(envelope-from <x@example.com>) id 1b2C3d-0004Ef-Gh; Fri, 19 Jan 2024 "
        "11:11:11 +0000",
     .helo = "mail.example.com",
     .ip = "198.51.100.4",
     .by_host = "mx.example.org",
     .software = "Exim 4.87",
     .with = "esmtps",
     .tls_version = "TLSv1.2",
     .tls_cipher = "ECDHE-RSA-AES256-GCM-SHA384",
     .tls = TRUE,
     .id = "1b2C3d-0004Ef-Gh",
     .envelope_from = "x@example.com",
     .date = "Fri, 19 Jan 2024 11:11:11 +0000",
     .utc = "2024-01-19T11:11:11Z", .tz = 0,
    },
    {.in = "from mail.example.com ([198.51.100.4]) by mx.example.org with "
        "esmtps (TLS1.3:ECDHE_X25519__RSA_PSS_RSAE_SHA256__AES_256_GCM:256) "
        "(Exim 4.94) (envelope-from <x@example.com>) id 1b2C3d-0004Eg-Gh for "
        "y@example.org; Fri, 19 Jan 2024 11:11:11 +0000",
     .helo = "mail.example.com",
     .ip = "198.51.100.4",
     .by_host = "mx.example.org",
     .software = "Exim 4.94",
     .with = "esmtps",
     .tls_version = "TLS1.3",
     .tls_cipher = "ECDHE_X25519__RSA_PSS_RSAE_SHA256__AES_256_GCM",
     .tls = TRUE,
     .id = "1b2C3d-0004Eg-Gh",
     .for_addr = "y@example.org",
     .envelope_from = "x@example.com",
     .date = "Fri, 19 Jan 2024 11:11:11 +0000",
     .utc = "2024-01-19T11:11:11Z", .tz = 0,
    },
    {.in = "from [198.51.100.8] (port=50123 helo=[192.168.1.20]) by "
        "smtp.example.ru with esmtpa (envelope-from <u@example.ru>) id "
        "1XsaNd-0006Vx-TV for v@example.jp; Sun, 23 Nov 2014 19:51:25 +0300",
     .helo = "[192.168.1.20]",
     .ip = "198.51.100.8",
     .port = 50123,
     .by_host = "smtp.example.ru",
     .with = "esmtpa",
     .authenticated = TRUE,
     .id = "1XsaNd-0006Vx-TV",
     .for_addr = "v@example.jp",
     .envelope_from = "u@example.ru",
     .date = "Sun, 23 Nov 2014 19:51:25 +0300",
     .utc = "2014-11-23T16:51:25Z", .tz = 180,
    },
    {.in = "from [2001:db8::25] (helo=mx.example.com) by relay.example.net "
        "with esmtp (Exim 4.92) id 1aaaaa-000001-AA; Sat, 20 Jan 2024 12:12:12 "
        "+0000",
     .helo = "mx.example.com",
     .ip = "2001:db8::25",
     .by_host = "relay.example.net",
     .software = "Exim 4.92",
     .with = "esmtp",
     .id = "1aaaaa-000001-AA",
     .date = "Sat, 20 Jan 2024 12:12:12 +0000",
     .utc = "2024-01-20T12:12:12Z", .tz = 0,
    },
    {.in = "from localhost ([127.0.0.1] helo=host.example.org ident=exim) by "
        "host.example.org with esmtp (Exim 4.80) (envelope-from <>) id 1Xy-00; "
        "Sat, 20 Jan 2024 12:12:12 +0000",
     .helo = "host.example.org",
     .rdns = "localhost",
     .ip = "127.0.0.1",
     .ident = "exim",
     .by_host = "host.example.org",
     .software = "Exim 4.80",
     .with = "esmtp",
     .id = "1Xy-00",
     .envelope_from = "",
     .date = "Sat, 20 Jan 2024 12:12:12 +0000",
     .utc = "2024-01-20T12:12:12Z", .tz = 0,
    },
    {.in = "from mail by mx.example.com with spam-scanned (Exim 4.96) "
        "(envelope-from <x@example.com>) id 1rSpAm-0005Zz-Qq for "
        "y@example.com; Sat, 20 Jan 2024 12:12:12 +0000",
     .helo = "mail",
     .by_host = "mx.example.com",
     .software = "Exim 4.96",
     .with = "spam-scanned",
     .id = "1rSpAm-0005Zz-Qq",
     .for_addr = "y@example.com",
     .envelope_from = "x@example.com",
     .date = "Sat, 20 Jan 2024 12:12:12 +0000",
     .utc = "2024-01-20T12:12:12Z", .tz = 0,
    },
    {.in = "from p5b034af6.dip.example.net ([192.0.2.246] helo=excalibur) by "
        "mail.example.de with esmtpsa (Cipher TLS-1.0:RSA_AES_256_CBC_SHA1:32) "
        "(Exim 4.63 #1) id 1NC032-0000td-2v; Sun, 22 Nov 2009 01:11:28 +0100",
     .helo = "excalibur",
     .rdns = "p5b034af6.dip.example.net",
     .ip = "192.0.2.246",
     .by_host = "mail.example.de",
     .software = "Exim 4.63 #1",
     .with = "esmtpsa",
     .tls_version = "TLS-1.0",
     .tls_cipher = "RSA_AES_256_CBC_SHA1",
     .tls = TRUE,
     .authenticated = TRUE,
     .id = "1NC032-0000td-2v",
     .date = "Sun, 22 Nov 2009 01:11:28 +0100",
     .utc = "2009-11-22T00:11:28Z", .tz = 60,
    },
    {.in = "from mail.example.org ([192.0.2.33:36440] helo=mail.example.org) "
        "by smtp.example.com with esmtp (Exim 4.34) id 1BzABC-0001xy-Ab; Thu, "
        "29 Jul 2004 10:00:00 +0200",
     .helo = "mail.example.org",
     .rdns = "mail.example.org",
     .ip = "192.0.2.33",
     .port = 36440,
     .by_host = "smtp.example.com",
     .software = "Exim 4.34",
     .with = "esmtp",
     .id = "1BzABC-0001xy-Ab",
     .date = "Thu, 29 Jul 2004 10:00:00 +0200",
     .utc = "2004-07-29T08:00:00Z", .tz = 120,
    },
    {.in = "from mx.example.com ([192.0.2.9]) by relay.example.net with esmtp "
        "(Exim 4.96) id 1rVeRs-0006Ab-Cd; Sun, 21 Jan 2024 13:13:13 +0000",
     .helo = "mx.example.com",
     .ip = "192.0.2.9",
     .by_host = "relay.example.net",
     .software = "Exim 4.96",
     .with = "esmtp",
     .id = "1rVeRs-0006Ab-Cd",
     .date = "Sun, 21 Jan 2024 13:13:13 +0000",
     .utc = "2024-01-21T13:13:13Z", .tz = 0,
    },

    /* Sendmail */
    {.in = "from mail.example.org (mail.example.org [192.0.2.10]) by "
        "mx.example.net (8.15.2/8.15.2/Debian-22) with ESMTPS id "
        "40FAbCdE012345 (version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 "
        "bits=256 verify=NOT) for <alice@example.net>; Mon, 15 Jan 2024 "
        "10:22:31 +0100",
     .helo = "mail.example.org",
     .rdns = "mail.example.org",
     .ip = "192.0.2.10",
     .by_host = "mx.example.net",
     .software = "Sendmail 8.15.2/8.15.2/Debian-22",
     .with = "ESMTPS",
     .tls_version = "TLSv1.3",
     .tls_cipher = "TLS_AES_256_GCM_SHA384",
     .tls = TRUE,
     .id = "40FAbCdE012345",
     .for_addr = "alice@example.net",
     .date = "Mon, 15 Jan 2024 10:22:31 +0100",
     .utc = "2024-01-15T09:22:31Z", .tz = 60,
    },
    {.in = "from client.example.com (dsl.example.com [203.0.113.9] (may be "
        "forged)) by mail.example.org (8.14.7/8.14.7) with ESMTP id "
        "s0FAbC12345678 for <bob@example.org>; Tue, 16 Jan 2024 01:02:03 -0500",
     .helo = "client.example.com",
     .rdns = "dsl.example.com",
     .ip = "203.0.113.9",
     .by_host = "mail.example.org",
     .software = "Sendmail 8.14.7/8.14.7",
     .with = "ESMTP",
     .id = "s0FAbC12345678",
     .for_addr = "bob@example.org",
     .date = "Tue, 16 Jan 2024 01:02:03 -0500",
     .utc = "2024-01-16T06:02:03Z", .tz = -300,
    },
    {.in = "(from www-data@localhost) by web.example.org "
        "(8.15.2/8.15.2/Submit) id 40GAbCdF000001; Wed, 17 Jan 2024 02:03:04 "
        "+0000",
     .ident = "www-data@localhost",
     .by_host = "web.example.org",
     .software = "Sendmail 8.15.2/8.15.2/Submit",
     .id = "40GAbCdF000001",
     .date = "Wed, 17 Jan 2024 02:03:04 +0000",
     .utc = "2024-01-17T02:03:04Z", .tz = 0,
    },
    {.in = "from [192.0.2.31] ([192.0.2.31]) (authenticated bits=0) by "
        "mx.example.jp (8.14.3/8.14.3) with ESMTP id n3S1wNtO005301 for "
        "<x@example.jp>; Tue, 28 Apr 2009 10:58:23 +0900 (JST)",
     .helo = "[192.0.2.31]",
     .ip = "192.0.2.31",
     .by_host = "mx.example.jp",
     .software = "Sendmail 8.14.3/8.14.3",
     .with = "ESMTP",
     .authenticated = TRUE,
     .id = "n3S1wNtO005301",
     .for_addr = "x@example.jp",
     .date = "Tue, 28 Apr 2009 10:58:23 +0900 (JST)",
     .utc = "2009-04-28T01:58:23Z", .tz = 540,
    },
    {.in = "from pc.example.net (user@pc.example.net [198.51.100.3]) by "
        "mail.example.org (8.12.11/8.12.11) with ESMTP id i9QJ1Z7d012345; Tue, "
        "26 Oct 2004 15:01:35 -0400",
     .helo = "pc.example.net",
     .rdns = "pc.example.net",
     .ip = "198.51.100.3",
     .ident = "user",
     .by_host = "mail.example.org",
     .software = "Sendmail 8.12.11/8.12.11",
     .with = "ESMTP",
     .id = "i9QJ1Z7d012345",
     .date = "Tue, 26 Oct 2004 15:01:35 -0400",
     .utc = "2004-10-26T19:01:35Z", .tz = -240,
    },
    {.in = "from [IPv6:2001:db8::5] (host.example.net [IPv6:2001:db8::5]) by "
        "mx.example.org (8.16.1/8.16.1) with ESMTP id 40H1aBc2003456; Thu, 18 "
        "Jan 2024 03:04:05 +0000",
     .helo = "[IPv6:2001:db8::5]",
     .rdns = "host.example.net",
     .ip = "2001:db8::5",
     .by_host = "mx.example.org",
     .software = "Sendmail 8.16.1/8.16.1",
     .with = "ESMTP",
     .id = "40H1aBc2003456",
     .date = "Thu, 18 Jan 2024 03:04:05 +0000",
     .utc = "2024-01-18T03:04:05Z", .tz = 0,
    },
    {.in = "from host.example.net (IDENT:root@host.example.net [192.0.2.44]) "
        "by mail.example.org (8.11.6/8.11.6) with ESMTP id f8J1x2m04321; Wed, "
        "19 Sep 2001 03:04:05 +0200",
     .helo = "host.example.net",
     .rdns = "host.example.net",
     .ip = "192.0.2.44",
     .ident = "root",
     .by_host = "mail.example.org",
     .software = "Sendmail 8.11.6/8.11.6",
     .with = "ESMTP",
     .id = "f8J1x2m04321",
     .date = "Wed, 19 Sep 2001 03:04:05 +0200",
     .utc = "2001-09-19T01:04:05Z", .tz = 120,
    },
    {.in = "from mx.example.com (mx.example.com [192.0.2.9]) by "
        "relay.example.org (8.13.8/8.13.8) with ESMTP id o5NGpLFc028550 "
        "(version=TLSv1/SSLv3 cipher=DHE-RSA-AES256-SHA bits=256 verify=OK); "
        "Wed, 23 Jun 2010 12:51:21 -0400",
     .helo = "mx.example.com",
     .rdns = "mx.example.com",
     .ip = "192.0.2.9",
     .by_host = "relay.example.org",
     .software = "Sendmail 8.13.8/8.13.8",
     .with = "ESMTP",
     .tls_version = "TLSv1/SSLv3",
     .tls_cipher = "DHE-RSA-AES256-SHA",
     .tls = TRUE,
     .id = "o5NGpLFc028550",
     .date = "Wed, 23 Jun 2010 12:51:21 -0400",
     .utc = "2010-06-23T16:51:21Z", .tz = -240,
    },
    {.in = "by host.example.org (8.9.3/8.9.3) id AAA12345; Thu, 1 Jul 1999 "
        "01:02:03 +0200 (MET DST)",
     .by_host = "host.example.org",
     .software = "Sendmail 8.9.3/8.9.3",
     .id = "AAA12345",
     .date = "Thu, 1 Jul 1999 01:02:03 +0200 (MET DST)",
     .utc = "1999-06-30T23:02:03Z", .tz = 120,
    },
    {.in = "(from daemon@localhost) by castle.example.org (8.9.3+3.2W/8.7.3) "
        "id WAA22962; Sun, 20 Feb 2000 22:07:32 +0900 (JST) (envelope-from "
        "owner-list@example.org)",
     .ident = "daemon@localhost",
     .by_host = "castle.example.org",
     .software = "Sendmail 8.9.3+3.2W/8.7.3",
     .id = "WAA22962",
     .envelope_from = "owner-list@example.org",
     .date = "Sun, 20 Feb 2000 22:07:32 +0900 (JST)",
     .utc = "2000-02-20T13:07:32Z", .tz = 540,
    },
    {.in = "by greenbush.example.com (4.1/4.7) id <AA10867> for "
        "mrc@example.edu; Mon, 7 Oct 91 12:13:55 EDT",
     .by_host = "greenbush.example.com",
     .software = "Sendmail 4.1/4.7",
     .id = "<AA10867>",
     .for_addr = "mrc@example.edu",
     .date = "Mon, 7 Oct 91 12:13:55 EDT",
     .utc = "1991-10-07T16:13:55Z", .tz = -240,
     .flags = MT_DATE_TWO_DIGIT_YEAR | MT_DATE_OBSOLETE_ZONE,
    },
    {.in = "by RSA.EXAMPLE.COM  id AA02049; Thu, 21 Nov 96 12:11:51 PST",
     .by_host = "RSA.EXAMPLE.COM",
     .id = "AA02049",
     .date = "Thu, 21 Nov 96 12:11:51 PST",
     .utc = "1996-11-21T20:11:51Z", .tz = -480,
     .flags = MT_DATE_TWO_DIGIT_YEAR | MT_DATE_OBSOLETE_ZONE,
    },
    {.in = "from mx.example.com (mx.example.com [192.0.2.9]) by "
        "relay.example.org (8.14.4/8.14.4) with ESMTP id p0123; Wed, 19 Jun "
        "2002 20:50:49",
     .helo = "mx.example.com",
     .rdns = "mx.example.com",
     .ip = "192.0.2.9",
     .by_host = "relay.example.org",
     .software = "Sendmail 8.14.4/8.14.4",
     .with = "ESMTP",
     .id = "p0123",
     .date = "Wed, 19 Jun 2002 20:50:49",
     .utc = "2002-06-19T20:50:49Z", .tz = 0,
     .flags = MT_DATE_NO_ZONE,
    },

    /* qmail */
    {.in = "(qmail 12345 invoked by uid 89); 15 Jan 2024 10:22:31 -0000",
     .ident = "uid 89",
     .software = "qmail",
     .date = "15 Jan 2024 10:22:31 -0000",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
     .flags = MT_DATE_NO_DAY_NAME | MT_DATE_UNKNOWN_ZONE,
    },
    {.in = "(qmail 23456 invoked from network); 15 Jan 2024 10:22:30 -0000",
     .software = "qmail",
     .date = "15 Jan 2024 10:22:30 -0000",
     .utc = "2024-01-15T10:22:30Z", .tz = 0,
     .flags = MT_DATE_NO_DAY_NAME | MT_DATE_UNKNOWN_ZONE,
    },
    {.in = "from unknown (HELO mail.example.org) (192.0.2.10) by "
        "mx.example.net with SMTP; 15 Jan 2024 10:22:30 -0000",
     .helo = "mail.example.org",
     .rdns = "unknown",
     .ip = "192.0.2.10",
     .helo_command = "HELO",
     .by_host = "mx.example.net",
     .with = "SMTP",
     .date = "15 Jan 2024 10:22:30 -0000",
     .utc = "2024-01-15T10:22:30Z", .tz = 0,
     .flags = MT_DATE_NO_DAY_NAME | MT_DATE_UNKNOWN_ZONE,
    },
    {.in = "from dsl.example.net (HELO laptop) (198.51.100.3) by "
        "smtp.example.net with ESMTPA; 15 Jan 2024 10:22:30 -0000",
     .helo = "laptop",
     .rdns = "dsl.example.net",
     .ip = "198.51.100.3",
     .helo_command = "HELO",
     .by_host = "smtp.example.net",
     .with = "ESMTPA",
     .authenticated = TRUE,
     .date = "15 Jan 2024 10:22:30 -0000",
     .utc = "2024-01-15T10:22:30Z", .tz = 0,
     .flags = MT_DATE_NO_DAY_NAME | MT_DATE_UNKNOWN_ZONE,
    },
    {.in = "(qmail 3456 invoked for bounce); 1 Jul 2014 08:30:56 -0000",
     .software = "qmail",
     .date = "1 Jul 2014 08:30:56 -0000",
     .utc = "2014-07-01T08:30:56Z", .tz = 0,
     .flags = MT_DATE_NO_DAY_NAME | MT_DATE_UNKNOWN_ZONE,
    },
    {.in = "from unknown (HELO ?192.0.2.129?) (bob@192.0.2.199 with plain) by "
        "smtp.example.jp with SMTP; 31 Mar 2010 13:59:43 -0000",
     .helo = "?192.0.2.129?",
     .rdns = "unknown",
     .helo_command = "HELO",
     .by_host = "smtp.example.jp",
     .with = "SMTP",
     .authenticated = TRUE,
     .auth_user = "bob@192.0.2.199",
     .date = "31 Mar 2010 13:59:43 -0000",
     .utc = "2010-03-31T13:59:43Z", .tz = 0,
     .flags = MT_DATE_NO_DAY_NAME | MT_DATE_UNKNOWN_ZONE,
    },
    {.in = "from post.example.net (HELO post-3.example.net) ([192.0.2.61]) by "
        "relay.example.co.jp with ESMTP; 15 Oct 2015 15:22:22 +0900",
     .helo = "post-3.example.net",
     .rdns = "post.example.net",
     .ip = "192.0.2.61",
     .helo_command = "HELO",
     .by_host = "relay.example.co.jp",
     .with = "ESMTP",
     .date = "15 Oct 2015 15:22:22 +0900",
     .utc = "2015-10-15T06:22:22Z", .tz = 540,
     .flags = MT_DATE_NO_DAY_NAME,
    },
    {.in = "from travelercare@example.com by agogo0 by uid 71 with "
        "qmail-scanner-1.13 (clamscan: 0.22. Clear:SA:1(0/0):. Processed in "
        "0.774434 secs); 12 Aug 2002 16:58:16 -0000",
     .helo = "travelercare@example.com",
     .by_host = "agogo0",
     .software = "clamscan: 0.22. Clear:SA:1(0/0):. Processed in 0.774434 secs",
     .with = "qmail-scanner-1.13",
     .date = "12 Aug 2002 16:58:16 -0000",
     .utc = "2002-08-12T16:58:16Z", .tz = 0,
     .flags = MT_DATE_NO_DAY_NAME | MT_DATE_UNKNOWN_ZONE,
     .unparsed = "by uid 71",
    },

    /* Microsoft */
    {.in = "from AM6PR01MB1234.eurprd01.prod.exchangelabs.com "
        "(2603:10a6:20b:fa::21) by "
        "AM6PR01MB5678.eurprd01.prod.exchangelabs.com (2603:10a6:20b:1c0::14) "
        "with Microsoft SMTP Server (version=TLS1_2, "
        "cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.6002.26; Mon, "
        "15 Jan 2024 10:22:31 +0000",
     .helo = "AM6PR01MB1234.eurprd01.prod.exchangelabs.com",
     .ip = "2603:10a6:20b:fa::21",
     .by_host = "AM6PR01MB5678.eurprd01.prod.exchangelabs.com",
     .by_ip = "2603:10a6:20b:1c0::14",
     .software = "Microsoft SMTP Server",
     .with = "Microsoft SMTP Server",
     .tls_version = "TLS1_2",
     .tls_cipher = "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
     .tls = TRUE,
     .id = "15.20.6002.26",
     .date = "Mon, 15 Jan 2024 10:22:31 +0000",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
    },
    {.in = "from DB8EUR05FT012.eop-eur05.prod.protection.outlook.com "
        "(2603:10a6:10:31::4) by DB8PR01CA0001.outlook.office365.com "
        "(2603:10a6:10:e4::33) with Microsoft SMTP Server (version=TLS1_2, "
        "cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7202.25 via "
        "Frontend Transport; Tue, 16 Jan 2024 08:00:00 +0000",
     .helo = "DB8EUR05FT012.eop-eur05.prod.protection.outlook.com",
     .ip = "2603:10a6:10:31::4",
     .by_host = "DB8PR01CA0001.outlook.office365.com",
     .by_ip = "2603:10a6:10:e4::33",
     .software = "Microsoft SMTP Server",
     .via = "Frontend Transport",
     .with = "Microsoft SMTP Server",
     .tls_version = "TLS1_2",
     .tls_cipher = "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
     .tls = TRUE,
     .id = "15.20.7202.25",
     .date = "Tue, 16 Jan 2024 08:00:00 +0000",
     .utc = "2024-01-16T08:00:00Z", .tz = 0,
    },
    {.in = "from EXCH01.corp.example.com (10.0.0.1) by EXCH02.corp.example.com "
        "(10.0.0.2) with Microsoft SMTP Server (TLS) id 15.0.1497.2; Wed, 17 "
        "Jan 2024 09:00:00 +0100",
     .helo = "EXCH01.corp.example.com",
     .ip = "10.0.0.1",
     .by_host = "EXCH02.corp.example.com",
     .by_ip = "10.0.0.2",
     .software = "Microsoft SMTP Server",
     .with = "Microsoft SMTP Server",
     .tls = TRUE,
     .id = "15.0.1497.2",
     .date = "Wed, 17 Jan 2024 09:00:00 +0100",
     .utc = "2024-01-17T08:00:00Z", .tz = 60,
    },
    {.in = "from EXCH01.corp.example.com ([fe80::1d2c:3b4a:5968:7a8b]) by "
        "EXCH01.corp.example.com ([fe80::1d2c:3b4a:5968:7a8b%12]) with mapi id "
        "14.03.0468.000; Thu, 18 Jan 2024 10:00:00 +0100",
     .helo = "EXCH01.corp.example.com",
     .ip = "fe80::1d2c:3b4a:5968:7a8b",
     .by_host = "EXCH01.corp.example.com",
     .by_ip = "fe80::1d2c:3b4a:5968:7a8b",
     .with = "mapi",
     .id = "14.03.0468.000",
     .date = "Thu, 18 Jan 2024 10:00:00 +0100",
     .utc = "2024-01-18T09:00:00Z", .tz = 60,
    },
    {.in = "from BLU0-SMTP123 ([192.0.2.73]) by BLU0-OMC2-S5.example.com over "
        "TLS secured channel with Microsoft SMTPSVC(7.5.7601.22751); Fri, 21 "
        "Nov 2014 14:17:34 -0800",
     .helo = "BLU0-SMTP123",
     .ip = "192.0.2.73",
     .by_host = "BLU0-OMC2-S5.example.com",
     .software = "Microsoft SMTPSVC 7.5.7601.22751",
     .with = "Microsoft SMTPSVC",
     .tls = TRUE,
     .date = "Fri, 21 Nov 2014 14:17:34 -0800",
     .utc = "2014-11-21T22:17:34Z", .tz = -480,
    },
    {.in = "from mail.example.com ([192.0.2.88]) by exch.example.org with "
        "Microsoft SMTPSVC(6.0.3790.4675); Mon, 8 Mar 2010 09:10:11 +0100",
     .helo = "mail.example.com",
     .ip = "192.0.2.88",
     .by_host = "exch.example.org",
     .software = "Microsoft SMTPSVC 6.0.3790.4675",
     .with = "Microsoft SMTPSVC",
     .date = "Mon, 8 Mar 2010 09:10:11 +0100",
     .utc = "2010-03-08T08:10:11Z", .tz = 60,
    },
    {.in = "from SN4PR0201CA0001.namprd02.prod.outlook.com "
        "(2603:10B6:803:002B:0000:0000:0000:0011) by "
        "BN6PR02MB1234.namprd02.prod.outlook.com (2603:10b6:404:d0::13) with "
        "Microsoft SMTP Server (version=TLS1_2, "
        "cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7202.24; Tue, "
        "16 Jan 2024 08:00:00 +0000",
     .helo = "SN4PR0201CA0001.namprd02.prod.outlook.com",
     .ip = "2603:10b6:803:2b::11",
     .by_host = "BN6PR02MB1234.namprd02.prod.outlook.com",
     .by_ip = "2603:10b6:404:d0::13",
     .software = "Microsoft SMTP Server",
     .with = "Microsoft SMTP Server",
     .tls_version = "TLS1_2",
     .tls_cipher = "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
     .tls = TRUE,
     .id = "15.20.7202.24",
     .date = "Tue, 16 Jan 2024 08:00:00 +0000",
     .utc = "2024-01-16T08:00:00Z", .tz = 0,
    },
    {.in = "from [127.0.0.1] (localhost [127.0.0.1]) by "
        "EXCH03.corp.example.com with Microsoft SMTP Server id 14.3.487.0; "
        "Tue, 16 Jan 2024 08:00:00 +0100",
     .helo = "[127.0.0.1]",
     .rdns = "localhost",
     .ip = "127.0.0.1",
     .by_host = "EXCH03.corp.example.com",
     .software = "Microsoft SMTP Server",
     .with = "Microsoft SMTP Server",
     .id = "14.3.487.0",
     .date = "Tue, 16 Jan 2024 08:00:00 +0100",
     .utc = "2024-01-16T07:00:00Z", .tz = 60,
    },
    {.in = "from mail.example.org (192.0.2.229) by mx8.example.net "
        "(192.0.2.228) with Microsoft SMTP Server id 8.2.222.2; Tue, 22 Feb "
        "2011 23:34:45 +0900",
     .helo = "mail.example.org",
     .ip = "192.0.2.229",
     .by_host = "mx8.example.net",
     .by_ip = "192.0.2.228",
     .software = "Microsoft SMTP Server",
     .with = "Microsoft SMTP Server",
     .id = "8.2.222.2",
     .date = "Tue, 22 Feb 2011 23:34:45 +0900",
     .utc = "2011-02-22T14:34:45Z", .tz = 540,
    },
    {.in = "from EUR05-AM6-obe.outbound.protection.outlook.com "
        "(mail-am6eur05olkn2050.outbound.protection.outlook.com "
        "[198.51.100.50]) by mx.example.com with ESMTPS id 1a2b3c for "
        "<u@example.com>; Tue, 16 Jan 2024 08:00:00 +0000",
     .helo = "EUR05-AM6-obe.outbound.protection.outlook.com",
     .rdns = "mail-am6eur05olkn2050.outbound.protection.outlook.com",
     .ip = "198.51.100.50",
     .by_host = "mx.example.com",
     .with = "ESMTPS",
     .tls = TRUE,
     .id = "1a2b3c",
     .for_addr = "u@example.com",
     .date = "Tue, 16 Jan 2024 08:00:00 +0000",
     .utc = "2024-01-16T08:00:00Z", .tz = 0,
    },
    {.in = "from MW4PR12MB1234.namprd12.prod.outlook.com "
        "([fe80::dead:beef:1%4]) by MW4PR12MB1234.namprd12.prod.outlook.com "
        "([fe80::dead:beef:1%4]) with mapi id 15.20.7202.017; Tue, 16 Jan 2024 "
        "08:00:00 +0000",
     .helo = "MW4PR12MB1234.namprd12.prod.outlook.com",
     .ip = "fe80::dead:beef:1",
     .by_host = "MW4PR12MB1234.namprd12.prod.outlook.com",
     .by_ip = "fe80::dead:beef:1",
     .with = "mapi",
     .id = "15.20.7202.017",
     .date = "Tue, 16 Jan 2024 08:00:00 +0000",
     .utc = "2024-01-16T08:00:00Z", .tz = 0,
    },

    /* Gmail and Google */
    {.in = "from mail-sor-f41.google.com (mail-sor-f41.google.com. "
        "[209.85.220.41]) by mx.google.com with SMTPS id "
        "a640c23a62f3a-a2c4d5e6f7sor1234567ab.4.2024.01.15.02.22.31 for "
        "<alice@example.com> (Google Transport Security); Mon, 15 Jan 2024 "
        "02:22:31 -0800 (PST)",
     .helo = "mail-sor-f41.google.com",
     .rdns = "mail-sor-f41.google.com.",
     .ip = "209.85.220.41",
     .by_host = "mx.google.com",
     .with = "SMTPS",
     .tls = TRUE,
     .id = "a640c23a62f3a-a2c4d5e6f7sor1234567ab.4.2024.01.15.02.22.31",
     .for_addr = "alice@example.com",
     .date = "Mon, 15 Jan 2024 02:22:31 -0800 (PST)",
     .utc = "2024-01-15T10:22:31Z", .tz = -480,
    },
    {.in = "X-Received: by 2002:a05:6a20:3d84:b0:199:b7c1:cd0a with SMTP id "
        "s4-20020a056a203d8400b00199b7c1cd0amr1234567pzf.38.1705314151123; "
        "Mon, 15 Jan 2024 02:22:31 -0800 (PST)",
     .raw = "by 2002:a05:6a20:3d84:b0:199:b7c1:cd0a with SMTP id "
         "s4-20020a056a203d8400b00199b7c1cd0amr1234567pzf.38.1705314151123; "
         "Mon, 15 Jan 2024 02:22:31 -0800 (PST)",
     .x_received = TRUE,
     .by_ip = "2002:a05:6a20:3d84:b0:199:b7c1:cd0a",
     .with = "SMTP",
     .id = "s4-20020a056a203d8400b00199b7c1cd0amr1234567pzf.38.1705314151123",
     .date = "Mon, 15 Jan 2024 02:22:31 -0800 (PST)",
     .utc = "2024-01-15T10:22:31Z", .tz = -480,
    },
    {.in = "by 2002:a17:90a:3a90:: with SMTP id b16mr1742594pjc.29; Mon, 29 "
        "Apr 2019 23:34:45 -0700",
     .by_ip = "2002:a17:90a:3a90::",
     .with = "SMTP",
     .id = "b16mr1742594pjc.29",
     .date = "Mon, 29 Apr 2019 23:34:45 -0700",
     .utc = "2019-04-30T06:34:45Z", .tz = -420,
    },
    {.in = "from mx.example.org (mx.example.org. [192.0.2.10]) by "
        "mx.google.com with ESMTPS id "
        "d15-20020a05620a240f00b0078315e5a2c1si1234567qkn.100.2024.01.15.02.22"
        ".31 for <bob@example.com> (version=TLS1_3 "
        "cipher=TLS_AES_256_GCM_SHA384 bits=256/256); Mon, 15 Jan 2024 "
        "02:22:31 -0800 (PST)",
     .helo = "mx.example.org",
     .rdns = "mx.example.org.",
     .ip = "192.0.2.10",
     .by_host = "mx.google.com",
     .with = "ESMTPS",
     .tls_version = "TLS1_3",
     .tls_cipher = "TLS_AES_256_GCM_SHA384",
     .tls = TRUE,
     .id = "d15-20020a05620a240f00b0078315e5a2c1si1234567qkn.100.2024.01.15.02"
         ".22.31",
     .for_addr = "bob@example.com",
     .date = "Mon, 15 Jan 2024 02:22:31 -0800 (PST)",
     .utc = "2024-01-15T10:22:31Z", .tz = -480,
    },
    {.in = "from [192.168.1.10] (c-198-51-100-12.hsd1.example.net. "
        "[198.51.100.12]) by smtp.gmail.com with ESMTPSA id "
        "x12-20020a170902b40c00b001d4b2e5e1f1sm1234567plr.210.2024.01.15.02.22"
        ".30 for <carol@example.com> (version=TLS1_3 "
        "cipher=TLS_AES_128_GCM_SHA256 bits=128/128); Mon, 15 Jan 2024 "
        "02:22:30 -0800 (PST)",
     .helo = "[192.168.1.10]",
     .rdns = "c-198-51-100-12.hsd1.example.net.",
     .ip = "198.51.100.12",
     .by_host = "smtp.gmail.com",
     .with = "ESMTPSA",
     .tls_version = "TLS1_3",
     .tls_cipher = "TLS_AES_128_GCM_SHA256",
     .tls = TRUE,
     .authenticated = TRUE,
     .id = "x12-20020a170902b40c00b001d4b2e5e1f1sm1234567plr.210.2024.01.15.02"
         ".22.30",
     .for_addr = "carol@example.com",
     .date = "Mon, 15 Jan 2024 02:22:30 -0800 (PST)",
     .utc = "2024-01-15T10:22:30Z", .tz = -480,
    },
    {.in = "by mail-pl1-f170.google.com with SMTP id "
        "d9443c01a7336-1d4b2e5e1f1so1234567b3a.1 for <x@example.com>; Mon, 15 "
        "Jan 2024 02:22:30 -0800 (PST)",
     .by_host = "mail-pl1-f170.google.com",
     .with = "SMTP",
     .id = "d9443c01a7336-1d4b2e5e1f1so1234567b3a.1",
     .for_addr = "x@example.com",
     .date = "Mon, 15 Jan 2024 02:22:30 -0800 (PST)",
     .utc = "2024-01-15T10:22:30Z", .tz = -480,
    },
    {.in = "by bwz15 with SMTP id 15so5332720bwz.19 for <multiple recipients>; "
        "Mon, 14 Feb 2011 02:56:11 -0800 (PST)",
     .by_host = "bwz15",
     .with = "SMTP",
     .id = "15so5332720bwz.19",
     .for_addr = "multiple recipients",
     .date = "Mon, 14 Feb 2011 02:56:11 -0800 (PST)",
     .utc = "2011-02-14T10:56:11Z", .tz = -480,
    },

    /* Yahoo, AOL */
    {.in = "from 127.0.0.1  (EHLO sonic301-2.consmr.mail.example.com) "
        "(198.51.100.175) by mta4148.mail.example.com with SMTPS; Mon, 21 May "
        "2018 12:31:12 +0000",
     .helo = "sonic301-2.consmr.mail.example.com",
     .rdns = "127.0.0.1",
     .ip = "198.51.100.175",
     .helo_command = "EHLO",
     .by_host = "mta4148.mail.example.com",
     .with = "SMTPS",
     .tls = TRUE,
     .date = "Mon, 21 May 2018 12:31:12 +0000",
     .utc = "2018-05-21T12:31:12Z", .tz = 0,
    },
    {.in = "from sonic.gate.mail.ne1.example.com by "
        "sonic302.consmr.mail.ne1.example.com with HTTP; Mon, 15 Jan 2024 "
        "10:22:31 +0000",
     .helo = "sonic.gate.mail.ne1.example.com",
     .by_host = "sonic302.consmr.mail.ne1.example.com",
     .with = "HTTP",
     .date = "Mon, 15 Jan 2024 10:22:31 +0000",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
    },
    {.in = "from [192.0.2.41] by web82107.mail.mud.example.com via HTTP; Thu, "
        "03 Dec 2009 10:50:22 PST",
     .helo = "[192.0.2.41]",
     .ip = "192.0.2.41",
     .by_host = "web82107.mail.mud.example.com",
     .via = "HTTP",
     .date = "Thu, 03 Dec 2009 10:50:22 PST",
     .utc = "2009-12-03T18:50:22Z", .tz = -480,
     .flags = MT_DATE_OBSOLETE_ZONE,
    },
    {.in = "by hermes--production-gq1-5c9c5c8b8b-abcde (VZM Hermes SMTP "
        "Server) with ESMTPA ID 0123456789abcdef0123456789abcdef; Mon, 15 Jan "
        "2024 10:22:31 +0000 (UTC)",
     .by_host = "hermes--production-gq1-5c9c5c8b8b-abcde",
     .software = "VZM Hermes SMTP Server",
     .with = "ESMTPA",
     .authenticated = TRUE,
     .id = "0123456789abcdef0123456789abcdef",
     .date = "Mon, 15 Jan 2024 10:22:31 +0000 (UTC)",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
    },
    {.in = "from [127.0.0.1] by nm36.bullet.mail.ne1.example.com with NNFMP; "
        "06 Dec 2014 13:46:10 -0000",
     .helo = "[127.0.0.1]",
     .ip = "127.0.0.1",
     .by_host = "nm36.bullet.mail.ne1.example.com",
     .with = "NNFMP",
     .date = "06 Dec 2014 13:46:10 -0000",
     .utc = "2014-12-06T13:46:10Z", .tz = 0,
     .flags = MT_DATE_NO_DAY_NAME | MT_DATE_UNKNOWN_ZONE,
    },
    {.in = "from localhost (127.0.0.1) by reactive.example.com id h0calo0n7lgf "
        "for <someone@example.com>; Fri, 10 Dec 2010 22:08:27 -0800 "
        "(envelope-from <return@reactive.example.com>)",
     .helo = "localhost",
     .ip = "127.0.0.1",
     .by_host = "reactive.example.com",
     .id = "h0calo0n7lgf",
     .for_addr = "someone@example.com",
     .envelope_from = "return@reactive.example.com",
     .date = "Fri, 10 Dec 2010 22:08:27 -0800",
     .utc = "2010-12-11T06:08:27Z", .tz = -480,
    },

    /* Zimbra */
    {.in = "from mail.example.com (LHLO mail.example.com) (192.0.2.20) by "
        "mail.example.com with LMTP; Mon, 15 Jan 2024 10:22:31 -0500 (EST)",
     .helo = "mail.example.com",
     .rdns = "mail.example.com",
     .ip = "192.0.2.20",
     .helo_command = "LHLO",
     .by_host = "mail.example.com",
     .with = "LMTP",
     .date = "Mon, 15 Jan 2024 10:22:31 -0500 (EST)",
     .utc = "2024-01-15T15:22:31Z", .tz = -300,
    },
    {.in = "from mail.example.com ([127.0.0.1]) by localhost (mail.example.com "
        "[127.0.0.1]) (amavisd-new, port 10032) with ESMTP id AbCdEfGhIj12; "
        "Mon, 15 Jan 2024 10:22:31 -0500 (EST)",
     .helo = "mail.example.com",
     .ip = "127.0.0.1",
     .by_host = "localhost",
     .by_ip = "127.0.0.1",
     .software = "amavisd-new, port 10032",
     .with = "ESMTP",
     .id = "AbCdEfGhIj12",
     .date = "Mon, 15 Jan 2024 10:22:31 -0500 (EST)",
     .utc = "2024-01-15T15:22:31Z", .tz = -300,
    },
    {.in = "from localhost (localhost [127.0.0.1]) by mail.example.com "
        "(Zimbra) with ESMTP id 1A2B3C4D; Mon, 15 Jan 2024 10:22:31 -0500",
     .helo = "localhost",
     .rdns = "localhost",
     .ip = "127.0.0.1",
     .by_host = "mail.example.com",
     .software = "Zimbra",
     .with = "ESMTP",
     .id = "1A2B3C4D",
     .date = "Mon, 15 Jan 2024 10:22:31 -0500",
     .utc = "2024-01-15T15:22:31Z", .tz = -300,
    },

    /* Courier */
    {.in = "from host.example.net (host.example.net [::ffff:192.0.2.33]) "
        "(AUTH: LOGIN alice@example.net, TLS: "
        "TLSv1/SSLv3,256bits,ECDHE-RSA-AES256-GCM-SHA384) by mail.example.org "
        "with ESMTPSA; Mon, 15 Jan 2024 10:22:31 +0100 id "
        "00058A0A.65A4F1E7.00001F2C",
     .helo = "host.example.net",
     .rdns = "host.example.net",
     .ip = "192.0.2.33",
     .by_host = "mail.example.org",
     .with = "ESMTPSA",
     .tls_version = "TLSv1/SSLv3",
     .tls_cipher = "ECDHE-RSA-AES256-GCM-SHA384",
     .tls = TRUE,
     .authenticated = TRUE,
     .auth_user = "alice@example.net",
     .id = "00058A0A.65A4F1E7.00001F2C",
     .date = "Mon, 15 Jan 2024 10:22:31 +0100",
     .utc = "2024-01-15T09:22:31Z", .tz = 60,
    },
    {.in = "from mx.example.com (mx.example.com [::ffff:198.51.100.20]) by "
        "mail.example.org with ESMTP; Mon, 15 Jan 2024 10:22:31 +0100 id "
        "00058A0B.65A4F1E8.00001F2D",
     .helo = "mx.example.com",
     .rdns = "mx.example.com",
     .ip = "198.51.100.20",
     .by_host = "mail.example.org",
     .with = "ESMTP",
     .id = "00058A0B.65A4F1E8.00001F2D",
     .date = "Mon, 15 Jan 2024 10:22:31 +0100",
     .utc = "2024-01-15T09:22:31Z", .tz = 60,
    },
    {.in = "from localhost (localhost [127.0.0.1]) "
        "(ftp://ftp.isi.edu/in-notes/rfc1894.txt) by mail.example.org with "
        "dsn; Sat, 11 Dec 2010 02:07:06 +0900 id 0F1BC0E0.4D025E3A.00001792",
     .helo = "localhost",
     .rdns = "localhost",
     .ip = "127.0.0.1",
     .by_host = "mail.example.org",
     .with = "dsn",
     .id = "0F1BC0E0.4D025E3A.00001792",
     .date = "Sat, 11 Dec 2010 02:07:06 +0900",
     .utc = "2010-12-10T17:07:06Z", .tz = 540,
     .unparsed = "(ftp://ftp.isi.edu/in-notes/rfc1894.txt)",
    },
    {.in = "from alice by mail.example.org with local; Mon, 15 Jan 2024 "
        "10:22:31 +0100 id 00058A0C.65A4F1E9.00001F2E",
     .ident = "alice",
     .by_host = "mail.example.org",
     .with = "local",
     .id = "00058A0C.65A4F1E9.00001F2E",
     .date = "Mon, 15 Jan 2024 10:22:31 +0100",
     .utc = "2024-01-15T09:22:31Z", .tz = 60,
    },
    {.in = "from mail.example.org (mail.example.org [192.0.2.77]) by "
        "mx.example.net (Courier 0.73) with ESMTP; Mon, 15 Jan 2024 10:22:31 "
        "+0100",
     .helo = "mail.example.org",
     .rdns = "mail.example.org",
     .ip = "192.0.2.77",
     .by_host = "mx.example.net",
     .software = "Courier 0.73",
     .with = "ESMTP",
     .date = "Mon, 15 Jan 2024 10:22:31 +0100",
     .utc = "2024-01-15T09:22:31Z", .tz = 60,
    },

    /* Amazon SES */
    {.in = "from a8-50.smtp-out.amazonses.com (a8-50.smtp-out.amazonses.com "
        "[198.51.100.50]) by mx.example.com (Postfix) with ESMTPS id 4TAbCd "
        "for <u@example.com>; Mon, 15 Jan 2024 10:22:31 +0000 (UTC)",
     .helo = "a8-50.smtp-out.amazonses.com",
     .rdns = "a8-50.smtp-out.amazonses.com",
     .ip = "198.51.100.50",
     .by_host = "mx.example.com",
     .software = "Postfix",
     .with = "ESMTPS",
     .tls = TRUE,
     .id = "4TAbCd",
     .for_addr = "u@example.com",
     .date = "Mon, 15 Jan 2024 10:22:31 +0000 (UTC)",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
    },
    {.in = "from mail-wr1-f41.example.com (mail-wr1-f41.example.com "
        "[192.0.2.41]) by inbound-smtp.us-east-1.amazonaws.com with SMTP id "
        "7ab3cd4ef5gh6ij7kl8mn9op0qr1st2uv for u@example.com; Mon, 15 Jan 2024 "
        "10:22:31 +0000 (UTC)",
     .helo = "mail-wr1-f41.example.com",
     .rdns = "mail-wr1-f41.example.com",
     .ip = "192.0.2.41",
     .by_host = "inbound-smtp.us-east-1.amazonaws.com",
     .with = "SMTP",
     .id = "7ab3cd4ef5gh6ij7kl8mn9op0qr1st2uv",
     .for_addr = "u@example.com",
     .date = "Mon, 15 Jan 2024 10:22:31 +0000 (UTC)",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
    },
    {.in = "from host (ec2-198-51-100-5.compute-1.amazonaws.com "
        "[198.51.100.5]) by email-smtp.amazonaws.com with SMTP "
        "(SimpleEmailService-d-11MVXUWA9) id aRHDoBiW1yM0CRxRhdPS; Tue, 16 Feb "
        "2021 00:57:06 +0000 (UTC)",
     .helo = "host",
     .rdns = "ec2-198-51-100-5.compute-1.amazonaws.com",
     .ip = "198.51.100.5",
     .by_host = "email-smtp.amazonaws.com",
     .software = "SimpleEmailService-d-11MVXUWA9",
     .with = "SMTP",
     .id = "aRHDoBiW1yM0CRxRhdPS",
     .date = "Tue, 16 Feb 2021 00:57:06 +0000 (UTC)",
     .utc = "2021-02-16T00:57:06Z", .tz = 0,
    },

    /* SendGrid */
    {.in = "by filterdrecv-p3iad2-5b55dcd864-2rdgx with SMTP id "
        "filterdrecv-p3iad2-5b55dcd864-2rdgx-1-5C9A6AB5-1 2019-03-26 "
        "18:07:49.106081893 +0000 UTC m=+60807.380061536",
     .by_host = "filterdrecv-p3iad2-5b55dcd864-2rdgx",
     .with = "SMTP",
     .id = "filterdrecv-p3iad2-5b55dcd864-2rdgx-1-5C9A6AB5-1",
     .date = "2019-03-26 18:07:49.106081893 +0000 UTC m=+60807.380061536",
     .utc = "2019-03-26T18:07:49Z", .tz = 0,
     .flags = MT_DATE_NO_DAY_NAME | MT_DATE_FRACTION |
         MT_DATE_TRAILING_TEXT | MT_DATE_ISO,
    },
    {.in = "from MjExNTEzMQ (unknown) by geopod-ismtpd-3-0 (SG) with HTTP id "
        "aBcDeFgHiJ Tue, 26 Mar 2019 18:07:49.186 +0000 (UTC)",
     .helo = "MjExNTEzMQ",
     .rdns = "unknown",
     .by_host = "geopod-ismtpd-3-0",
     .software = "SG",
     .with = "HTTP",
     .id = "aBcDeFgHiJ",
     .date = "Tue, 26 Mar 2019 18:07:49.186 +0000 (UTC)",
     .utc = "2019-03-26T18:07:49Z", .tz = 0,
     .flags = MT_DATE_FRACTION,
    },
    {.in = "from ismtpd0001p1lon1.sendgrid.net (unknown) by geopod-ismtpd-1-1 "
        "(SG) with ESMTP id 2rBt2PFXQZ2mr5v9vqnVaw for <u@example.org>; Mon, "
        "15 Jan 2024 10:22:31.234 +0000 (UTC)",
     .helo = "ismtpd0001p1lon1.sendgrid.net",
     .rdns = "unknown",
     .by_host = "geopod-ismtpd-1-1",
     .software = "SG",
     .with = "ESMTP",
     .id = "2rBt2PFXQZ2mr5v9vqnVaw",
     .for_addr = "u@example.org",
     .date = "Mon, 15 Jan 2024 10:22:31.234 +0000 (UTC)",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
     .flags = MT_DATE_FRACTION,
    },

    /* IBM Domino */
    {.in = "from d06relay.example.com ([192.0.2.60]) by d06av.example.com (IBM "
        "Domino Release 9.0.1FP10 HF383) with ESMTP id 2024011510223100-123456 "
        "; Mon, 15 Jan 2024 10:22:31 +0100",
     .helo = "d06relay.example.com",
     .ip = "192.0.2.60",
     .by_host = "d06av.example.com",
     .software = "IBM Domino Release 9.0.1FP10 HF383",
     .with = "ESMTP",
     .id = "2024011510223100-123456",
     .date = "Mon, 15 Jan 2024 10:22:31 +0100",
     .utc = "2024-01-15T09:22:31Z", .tz = 60,
    },
    {.in = "from localhost ([127.0.0.1]) by notes.example.com (Lotus Domino "
        "Release 8.5.3FP6) with ESMTP id 2014061012345678-1 ; Tue, 10 Jun 2014 "
        "12:34:56 +0200",
     .helo = "localhost",
     .ip = "127.0.0.1",
     .by_host = "notes.example.com",
     .software = "Lotus Domino Release 8.5.3FP6",
     .with = "ESMTP",
     .id = "2014061012345678-1",
     .date = "Tue, 10 Jun 2014 12:34:56 +0200",
     .utc = "2014-06-10T10:34:56Z", .tz = 120,
    },

    /* Dovecot */
    {.in = "from mx.example.org by imap.example.org with LMTP id "
        "kJ3mLZ8xpWXPbgAAdPr3Fg (envelope-from <bounce@example.com>) for "
        "<alice@example.org>; Mon, 15 Jan 2024 10:22:31 +0100",
     .helo = "mx.example.org",
     .by_host = "imap.example.org",
     .with = "LMTP",
     .id = "kJ3mLZ8xpWXPbgAAdPr3Fg",
     .for_addr = "alice@example.org",
     .envelope_from = "bounce@example.com",
     .date = "Mon, 15 Jan 2024 10:22:31 +0100",
     .utc = "2024-01-15T09:22:31Z", .tz = 60,
    },
    {.in = "from imap.example.org ([192.0.2.15]) by imap.example.org with "
        "LMTPS id oKXaLZ8xpWXQbgAAdPr3Fg (envelope-from <b@example.com>) for "
        "<c@example.org>; Mon, 15 Jan 2024 10:22:31 +0100",
     .helo = "imap.example.org",
     .ip = "192.0.2.15",
     .by_host = "imap.example.org",
     .with = "LMTPS",
     .tls = TRUE,
     .id = "oKXaLZ8xpWXQbgAAdPr3Fg",
     .for_addr = "c@example.org",
     .envelope_from = "b@example.com",
     .date = "Mon, 15 Jan 2024 10:22:31 +0100",
     .utc = "2024-01-15T09:22:31Z", .tz = 60,
    },
    {.in = "from mail.example.com by mail.example.com (Dovecot) with LMTP id "
        "NekoNyaaaaaaaan22 for <u@mail.example.com>; Sat, 29 Apr 2017 23:34:45 "
        "+0900",
     .helo = "mail.example.com",
     .by_host = "mail.example.com",
     .software = "Dovecot",
     .with = "LMTP",
     .id = "NekoNyaaaaaaaan22",
     .for_addr = "u@mail.example.com",
     .date = "Sat, 29 Apr 2017 23:34:45 +0900",
     .utc = "2017-04-29T14:34:45Z", .tz = 540,
    },

    /* Apple iCloud */
    {.in = "from st43p00im-ztdg10061901.me.com (st43p00im-ztdg10061901.me.com "
        "[192.0.2.175]) by st43p00im-qukt09081701.me.com (Postfix) with ESMTPS "
        "id 4TD1Lk3Z7Rz9sTm for <u@icloud.example>; Mon, 15 Jan 2024 10:22:31 "
        "+0000 (UTC)",
     .helo = "st43p00im-ztdg10061901.me.com",
     .rdns = "st43p00im-ztdg10061901.me.com",
     .ip = "192.0.2.175",
     .by_host = "st43p00im-qukt09081701.me.com",
     .software = "Postfix",
     .with = "ESMTPS",
     .tls = TRUE,
     .id = "4TD1Lk3Z7Rz9sTm",
     .for_addr = "u@icloud.example",
     .date = "Mon, 15 Jan 2024 10:22:31 +0000 (UTC)",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
    },
    {.in = "from mr85p00im-ztdg06011101.me.com (mr85p00im-ztdg06011101.me.com "
        "[192.0.2.180]) by ms11p00im-qufo17281301.me.com (Oracle "
        "Communications Messaging Server 8.1.0.1.20190704 64bit (built Jul  4 "
        "2019)) with ESMTPSA id "
        "<0Q2X00ABCDEF1234@ms11p00im-qufo17281301.me.com> for "
        "u@icloud.example; Mon, 15 Jan 2024 10:22:31 +0000 (GMT)",
     .helo = "mr85p00im-ztdg06011101.me.com",
     .rdns = "mr85p00im-ztdg06011101.me.com",
     .ip = "192.0.2.180",
     .by_host = "ms11p00im-qufo17281301.me.com",
     .software = "Oracle Communications Messaging Server 8.1.0.1.20190704 "
         "64bit (built Jul 4 2019)",
     .with = "ESMTPSA",
     .tls = TRUE,
     .authenticated = TRUE,
     .id = "<0Q2X00ABCDEF1234@ms11p00im-qufo17281301.me.com>",
     .for_addr = "u@icloud.example",
     .date = "Mon, 15 Jan 2024 10:22:31 +0000 (GMT)",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
    },
    {.in = "from mr21p30im-asmtp002.me.com (Oracle Communications Messaging "
        "Server 8.0.1.2.20170607 64bit (built Jun  7 2017)) id "
        "<0P9600M7W9OUTV00@mr21p30im-asmtp002.me.com>; Wed, 23 May 2018 "
        "08:17:18 +0000 (GMT)",
     .helo = "mr21p30im-asmtp002.me.com",
     .software = "Oracle Communications Messaging Server 8.0.1.2.20170607 "
         "64bit (built Jun 7 2017)",
     .id = "<0P9600M7W9OUTV00@mr21p30im-asmtp002.me.com>",
     .date = "Wed, 23 May 2018 08:17:18 +0000 (GMT)",
     .utc = "2018-05-23T08:17:18Z", .tz = 0,
    },

    /* Mimecast */
    {.in = "from mail-ej1-f70.example.com (mail-ej1-f70.example.com "
        "[192.0.2.70]) (Using TLS) by relay.mimecast.com with ESMTP id "
        "uk-mta-12-AbCdEfGhIjKlMnOp-1; Mon, 15 Jan 2024 10:22:31 +0000",
     .helo = "mail-ej1-f70.example.com",
     .rdns = "mail-ej1-f70.example.com",
     .ip = "192.0.2.70",
     .by_host = "relay.mimecast.com",
     .with = "ESMTP",
     .tls = TRUE,
     .id = "uk-mta-12-AbCdEfGhIjKlMnOp-1",
     .date = "Mon, 15 Jan 2024 10:22:31 +0000",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
    },
    {.in = "from us-smtp-delivery-1.mimecast.com "
        "(us-smtp-delivery-1.mimecast.com [198.51.100.1]) by mx.example.org "
        "(Postfix) with ESMTPS id 4TMcSt for <u@example.org>; Mon, 15 Jan 2024 "
        "10:22:31 +0000 (UTC)",
     .helo = "us-smtp-delivery-1.mimecast.com",
     .rdns = "us-smtp-delivery-1.mimecast.com",
     .ip = "198.51.100.1",
     .by_host = "mx.example.org",
     .software = "Postfix",
     .with = "ESMTPS",
     .tls = TRUE,
     .id = "4TMcSt",
     .for_addr = "u@example.org",
     .date = "Mon, 15 Jan 2024 10:22:31 +0000 (UTC)",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
    },
    {.in = "from EUR02-AM5-obe.outbound.protection.outlook.com "
        "(mail-am5eur02lp2058.outbound.protection.outlook.com [198.51.100.58]) "
        "(Using TLS) by relay.mimecast.com with ESMTP id uk-mta-1-xYz; Mon, 15 "
        "Jan 2024 10:22:31 +0000",
     .helo = "EUR02-AM5-obe.outbound.protection.outlook.com",
     .rdns = "mail-am5eur02lp2058.outbound.protection.outlook.com",
     .ip = "198.51.100.58",
     .by_host = "relay.mimecast.com",
     .with = "ESMTP",
     .tls = TRUE,
     .id = "uk-mta-1-xYz",
     .date = "Mon, 15 Jan 2024 10:22:31 +0000",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
    },

    /* Proofpoint */
    {.in = "from pps.filterd (m0001234.ppops.net [127.0.0.1]) by "
        "mx0a-00112233.pphosted.com (8.17.1.19/8.17.1.19) with ESMTP id "
        "40F9abcd012345 for <u@example.com>; Mon, 15 Jan 2024 05:22:31 -0500",
     .helo = "pps.filterd",
     .rdns = "m0001234.ppops.net",
     .ip = "127.0.0.1",
     .by_host = "mx0a-00112233.pphosted.com",
     .software = "Sendmail 8.17.1.19/8.17.1.19",
     .with = "ESMTP",
     .id = "40F9abcd012345",
     .for_addr = "u@example.com",
     .date = "Mon, 15 Jan 2024 05:22:31 -0500",
     .utc = "2024-01-15T10:22:31Z", .tz = -300,
    },
    {.in = "from mail.example.net (mail.example.net [192.0.2.200]) by "
        "mx0a-00112233.pphosted.com (PPS) with ESMTPS id 3vmabc1234-1 "
        "(version=TLSv1.2 cipher=ECDHE-RSA-AES256-GCM-SHA384 bits=256 "
        "verify=NOT) for <u@example.com>; Mon, 15 Jan 2024 05:22:30 -0500",
     .helo = "mail.example.net",
     .rdns = "mail.example.net",
     .ip = "192.0.2.200",
     .by_host = "mx0a-00112233.pphosted.com",
     .software = "PPS",
     .with = "ESMTPS",
     .tls_version = "TLSv1.2",
     .tls_cipher = "ECDHE-RSA-AES256-GCM-SHA384",
     .tls = TRUE,
     .id = "3vmabc1234-1",
     .for_addr = "u@example.com",
     .date = "Mon, 15 Jan 2024 05:22:30 -0500",
     .utc = "2024-01-15T10:22:30Z", .tz = -300,
    },

    /* fetchmail, getmail */
    {.in = "from imap.example.org [192.0.2.143] by laptop.example.net with "
        "IMAP (fetchmail-6.4.37) for <alice@localhost> (single-drop); Mon, 15 "
        "Jan 2024 10:22:31 +0100 (CET)",
     .helo = "imap.example.org",
     .ip = "192.0.2.143",
     .by_host = "laptop.example.net",
     .software = "fetchmail-6.4.37",
     .with = "IMAP",
     .for_addr = "alice@localhost",
     .date = "Mon, 15 Jan 2024 10:22:31 +0100 (CET)",
     .utc = "2024-01-15T09:22:31Z", .tz = 60,
    },
    {.in = "from pop.example.org [192.0.2.110] by desktop with POP3 "
        "(fetchmail-6.3.9-rc2) for <bob@localhost> (multi-drop); Wed, 18 Nov "
        "2009 01:27:47 -0800 (PST)",
     .helo = "pop.example.org",
     .ip = "192.0.2.110",
     .by_host = "desktop",
     .software = "fetchmail-6.3.9-rc2",
     .with = "POP3",
     .for_addr = "bob@localhost",
     .date = "Wed, 18 Nov 2009 01:27:47 -0800 (PST)",
     .utc = "2009-11-18T09:27:47Z", .tz = -480,
    },
    {.in = "from pop.example.org by laptop with POP3-SSL getmail6 msgid:3c1f9e "
        "for <alice@example.org>; 15 Jan 2024 09:22:31 -0000",
     .helo = "pop.example.org",
     .by_host = "laptop",
     .software = "getmail6",
     .with = "POP3-SSL",
     .id = "3c1f9e",
     .for_addr = "alice@example.org",
     .date = "15 Jan 2024 09:22:31 -0000",
     .utc = "2024-01-15T09:22:31Z", .tz = 0,
     .flags = MT_DATE_NO_DAY_NAME | MT_DATE_UNKNOWN_ZONE,
    },
    {.in = "from imap.example.org by laptop with IMAP4-SSL getmail6 for "
        "<bob@example.org>; 15 Jan 2024 09:22:31 -0000",
     .helo = "imap.example.org",
     .by_host = "laptop",
     .software = "getmail6",
     .with = "IMAP4-SSL",
     .for_addr = "bob@example.org",
     .date = "15 Jan 2024 09:22:31 -0000",
     .utc = "2024-01-15T09:22:31Z", .tz = 0,
     .flags = MT_DATE_NO_DAY_NAME | MT_DATE_UNKNOWN_ZONE,
    },
    {.in = "from pop.example.org by getmail with POP3; 15 Jan 2024 09:22:31 "
        "-0000",
     .helo = "pop.example.org",
     .by_host = "getmail",
     .software = "getmail",
     .with = "POP3",
     .date = "15 Jan 2024 09:22:31 -0000",
     .utc = "2024-01-15T09:22:31Z", .tz = 0,
     .flags = MT_DATE_NO_DAY_NAME | MT_DATE_UNKNOWN_ZONE,
    },

    /* Other MTAs */
    {.in = "from localhost (localhost [local]) by mail.example.org (OpenSMTPD) "
        "with ESMTPA id 700fd087; Thu, 17 Jul 2014 11:15:48 +0000 (UTC)",
     .helo = "localhost",
     .rdns = "localhost",
     .by_host = "mail.example.org",
     .software = "OpenSMTPD",
     .with = "ESMTPA",
     .authenticated = TRUE,
     .id = "700fd087",
     .date = "Thu, 17 Jul 2014 11:15:48 +0000 (UTC)",
     .utc = "2014-07-17T11:15:48Z", .tz = 0,
    },
    {.in = "from localhost (localhost [local]); by localhost (OpenSMTPD) with "
        "ESMTPA id 700fd088; for <k@example.jp>; Thu, 17 Jul 2014 11:15:48 "
        "+0000 (UTC)",
     .helo = "localhost",
     .rdns = "localhost",
     .by_host = "localhost",
     .software = "OpenSMTPD",
     .with = "ESMTPA",
     .authenticated = TRUE,
     .id = "700fd088",
     .for_addr = "k@example.jp",
     .date = "Thu, 17 Jul 2014 11:15:48 +0000 (UTC)",
     .utc = "2014-07-17T11:15:48Z", .tz = 0,
    },
    {.in = "from host ([unix socket]) by imap.example.org (Cyrus 2.5.10) with "
        "LMTPA; Wed, 16 Jan 2008 13:51:42 -0800",
     .helo = "host",
     .by_host = "imap.example.org",
     .software = "Cyrus 2.5.10",
     .with = "LMTPA",
     .authenticated = TRUE,
     .date = "Wed, 16 Jan 2008 13:51:42 -0800",
     .utc = "2008-01-16T21:51:42Z", .tz = -480,
    },
    {.in = "from mail.example.com ([192.0.2.10]:1127 \"EHLO mail.example.com\" "
        "rhost-flags-OK-OK-OK-OK) by vger.kernel.org with ESMTP id "
        "S1757376Ab0KODF3 (ORCPT <rfc822;list@vger.kernel.org>); Sun, 14 Nov "
        "2010 22:05:29 -0500",
     .helo = "mail.example.com",
     .rdns = "mail.example.com",
     .ip = "192.0.2.10",
     .port = 1127,
     .helo_command = "EHLO",
     .by_host = "vger.kernel.org",
     .with = "ESMTP",
     .id = "S1757376Ab0KODF3",
     .for_addr = "list@vger.kernel.org",
     .date = "Sun, 14 Nov 2010 22:05:29 -0500",
     .utc = "2010-11-15T03:05:29Z", .tz = -300,
    },
    {.in = "(majordomo@vger.kernel.org) by vger.kernel.org via listexpand id "
        "S933575Ab0KOTIN; Mon, 15 Nov 2010 14:08:13 -0500",
     .ident = "majordomo@vger.kernel.org",
     .by_host = "vger.kernel.org",
     .via = "listexpand",
     .id = "S933575Ab0KOTIN",
     .date = "Mon, 15 Nov 2010 14:08:13 -0500",
     .utc = "2010-11-15T19:08:13Z", .tz = -300,
    },
    {.in = "from mail.example.com ([192.0.2.11]) by vger.kernel.org with ESMTP "
        "id S1754099Ab0KSNVg convert rfc822-to-quoted-printable (ORCPT "
        "<rfc822;list@vger.kernel.org>); Fri, 19 Nov 2010 08:21:36 -0500",
     .helo = "mail.example.com",
     .ip = "192.0.2.11",
     .by_host = "vger.kernel.org",
     .with = "ESMTP",
     .id = "S1754099Ab0KSNVg",
     .for_addr = "list@vger.kernel.org",
     .date = "Fri, 19 Nov 2010 08:21:36 -0500",
     .utc = "2010-11-19T13:21:36Z", .tz = -300,
     .unparsed = "convert rfc822-to-quoted-printable",
    },
    {.in = "(Haraka outbound); Sat, 31 Oct 2020 18:32:53 +0000",
     .software = "Haraka outbound",
     .date = "Sat, 31 Oct 2020 18:32:53 +0000",
     .utc = "2020-10-31T18:32:53Z", .tz = 0,
    },
    {.in = "from localhost ([192.0.2.4]) by mrd.example.net (Haraka/2.8.21) "
        "with ESMTP id zzz.1 envelope-from <fbl@example.net>; Sat, 31 Oct 2020 "
        "18:32:53 +0000",
     .helo = "localhost",
     .ip = "192.0.2.4",
     .by_host = "mrd.example.net",
     .software = "Haraka/2.8.21",
     .with = "ESMTP",
     .id = "zzz.1",
     .envelope_from = "fbl@example.net",
     .date = "Sat, 31 Oct 2020 18:32:53 +0000",
     .utc = "2020-10-31T18:32:53Z", .tz = 0,
    },
    {.in = "from root (uid 0) (envelope-from root@host.example.jp) id e072a by "
        "host.example.jp (DragonFly Mail Agent v0.13); Tue, 11 Jun 2024 "
        "18:53:33 +0900",
     .helo = "root",
     .ident = "uid 0",
     .by_host = "host.example.jp",
     .software = "DragonFly Mail Agent v0.13",
     .id = "e072a",
     .envelope_from = "root@host.example.jp",
     .date = "Tue, 11 Jun 2024 18:53:33 +0900",
     .utc = "2024-06-11T09:53:33Z", .tz = 540,
    },
    {.in = "from 192.0.2.7 (SquirrelMail authenticated user jdoe) by "
        "webmail.example.org with HTTP; Mon, 15 Jan 2024 10:22:31 -0000",
     .helo = "192.0.2.7",
     .ip = "192.0.2.7",
     .by_host = "webmail.example.org",
     .software = "SquirrelMail",
     .with = "HTTP",
     .authenticated = TRUE,
     .auth_user = "jdoe",
     .date = "Mon, 15 Jan 2024 10:22:31 -0000",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
     .flags = MT_DATE_UNKNOWN_ZONE,
    },
    {.in = "from [192.0.2.130] (account alice@example.it HELO pc.example.it) "
        "by mx.example.it (CommuniGate Pro SMTP 6.2.3) with ESMTPA id 12345678 "
        "for bob@example.it; Tue, 24 May 2016 13:09:41 +0100",
     .helo = "pc.example.it",
     .ip = "192.0.2.130",
     .helo_command = "HELO",
     .by_host = "mx.example.it",
     .software = "CommuniGate Pro SMTP 6.2.3",
     .with = "ESMTPA",
     .authenticated = TRUE,
     .auth_user = "alice@example.it",
     .id = "12345678",
     .for_addr = "bob@example.it",
     .date = "Tue, 24 May 2016 13:09:41 +0100",
     .utc = "2016-05-24T12:09:41Z", .tz = 60,
    },
    {.in = "from maleman.example.com ([192.0.2.3]) by dredd.example.com "
        "(Netscape Mail Server v2.01) with SMTP id AAA20354; Tue, 29 Oct 1996 "
        "12:15:27 -0700",
     .helo = "maleman.example.com",
     .ip = "192.0.2.3",
     .by_host = "dredd.example.com",
     .software = "Netscape Mail Server v2.01",
     .with = "SMTP",
     .id = "AAA20354",
     .date = "Tue, 29 Oct 1996 12:15:27 -0700",
     .utc = "1996-10-29T19:15:27Z", .tz = -420,
    },
    {.in = "from [127.0.0.1] ([192.0.2.21]) by home with MailEnable ESMTP; "
        "Mon, 15 Jan 2024 10:22:31 +0100",
     .helo = "[127.0.0.1]",
     .ip = "192.0.2.21",
     .by_host = "home",
     .with = "MailEnable ESMTP",
     .date = "Mon, 15 Jan 2024 10:22:31 +0100",
     .utc = "2024-01-15T09:22:31Z", .tz = 60,
    },
    {.in = "by host.example.edu (sSMTP sendmail emulation); Tue, 17 Nov 2009 "
        "20:01:16 -0500",
     .by_host = "host.example.edu",
     .software = "sSMTP sendmail emulation",
     .date = "Tue, 17 Nov 2009 20:01:16 -0500",
     .utc = "2009-11-18T01:01:16Z", .tz = -300,
    },
    {.in = "from web21h.example.ru (web21h.example.ru [192.0.2.155]) by "
        "forward1h.mail.example.net (Yandex) with ESMTP id D08769E1045; Sat,  "
        "6 Dec 2014 20:24:30 +0300 (MSK)",
     .helo = "web21h.example.ru",
     .rdns = "web21h.example.ru",
     .ip = "192.0.2.155",
     .by_host = "forward1h.mail.example.net",
     .software = "Yandex",
     .with = "ESMTP",
     .id = "D08769E1045",
     .date = "Sat, 6 Dec 2014 20:24:30 +0300 (MSK)",
     .utc = "2014-12-06T17:24:30Z", .tz = 180,
    },
    {.in = "from forward1p.example.net (forward1p.example.net []) by "
        "mxback1p.example.net with LMTP id aBcD1234; Sat,  6 Dec 2014 20:24:30 "
        "+0300",
     .helo = "forward1p.example.net",
     .rdns = "forward1p.example.net",
     .by_host = "mxback1p.example.net",
     .with = "LMTP",
     .id = "aBcD1234",
     .date = "Sat, 6 Dec 2014 20:24:30 +0300",
     .utc = "2014-12-06T17:24:30Z", .tz = 180,
    },
    {.in = "from mail.example.org (mail.example.org [::ffff:192.0.2.99]) by "
        "mx.example.net with ESMTP id 77; Mon, 15 Jan 2024 10:22:31 +0000",
     .helo = "mail.example.org",
     .rdns = "mail.example.org",
     .ip = "192.0.2.99",
     .by_host = "mx.example.net",
     .with = "ESMTP",
     .id = "77",
     .date = "Mon, 15 Jan 2024 10:22:31 +0000",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
    },
    {.in = "from client.example.com (192.0.2.40.1025) by old.example.net with "
        "SMTP; Mon, 15 Jan 2024 10:22:31 +0000",
     .helo = "client.example.com",
     .ip = "192.0.2.40",
     .port = 1025,
     .by_host = "old.example.net",
     .with = "SMTP",
     .date = "Mon, 15 Jan 2024 10:22:31 +0000",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
    },
    {.in = "from x.example.com (x.example.com "
        "[IPv6:2001:0DB8:0000:0000:0000:0000:0000:0001]) by mx.example.net "
        "with ESMTP; Mon, 15 Jan 2024 10:22:31 +0000",
     .helo = "x.example.com",
     .rdns = "x.example.com",
     .ip = "2001:db8::1",
     .by_host = "mx.example.net",
     .with = "ESMTP",
     .date = "Mon, 15 Jan 2024 10:22:31 +0000",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
    },
    {.in = "via spool by 916805-submit@bugs.example.org "
        "id=B916805.154533033319811 (code B ref 916805); Thu, 20 Dec 2018 "
        "18:27:02 +0000",
     .by_host = "916805-submit@bugs.example.org",
     .software = "code B ref 916805",
     .via = "spool",
     .id = "B916805.154533033319811",
     .date = "Thu, 20 Dec 2018 18:27:02 +0000",
     .utc = "2018-12-20T18:27:02Z", .tz = 0,
    },
    {.in = "from mx1.example.org ([192.0.2.90])  (envelope sender: "
        "<shironeko@example.co.jp>) by ah3.example.net with Active!Hunter "
        "esmtp server; Fri, 29 Apr 2011 23:34:45 +0900",
     .helo = "mx1.example.org",
     .ip = "192.0.2.90",
     .by_host = "ah3.example.net",
     .with = "Active!Hunter esmtp server",
     .envelope_from = "shironeko@example.co.jp",
     .date = "Fri, 29 Apr 2011 23:34:45 +0900",
     .utc = "2011-04-29T14:34:45Z", .tz = 540,
    },
    {.in = "from SMS-GTY01.example.com by mail.example.com with ESMTP id ca "
        "for <u@example.com>; Tue, 10 May 2005 15:27:04 -0500",
     .helo = "SMS-GTY01.example.com",
     .by_host = "mail.example.com",
     .with = "ESMTP",
     .id = "ca",
     .for_addr = "u@example.com",
     .date = "Tue, 10 May 2005 15:27:04 -0500",
     .utc = "2005-05-10T20:27:04Z", .tz = -300,
    },
    {.in = "from mailman.example.com (unverified) by corp.example.com (Content "
        "Technologies SMTPRS 4.2.1) with ESMTP id "
        "<T5a0a774841c0a86ee241c@corp.example.com> for <k@example.com>; Tue, "
        "13 Nov 2001 21:07:19 -0600",
     .helo = "mailman.example.com",
     .by_host = "corp.example.com",
     .software = "Content Technologies SMTPRS 4.2.1",
     .with = "ESMTP",
     .id = "<T5a0a774841c0a86ee241c@corp.example.com>",
     .for_addr = "k@example.com",
     .date = "Tue, 13 Nov 2001 21:07:19 -0600",
     .utc = "2001-11-14T03:07:19Z", .tz = -360,
    },
    {.in = "from mx.example.com (mx.example.com [192.0.2.1]) by "
        "relay.example.net with UTF8SMTPSA id 99; Mon, 15 Jan 2024 10:22:31 "
        "+0000",
     .helo = "mx.example.com",
     .rdns = "mx.example.com",
     .ip = "192.0.2.1",
     .by_host = "relay.example.net",
     .with = "UTF8SMTPSA",
     .tls = TRUE,
     .authenticated = TRUE,
     .id = "99",
     .date = "Mon, 15 Jan 2024 10:22:31 +0000",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
    },
    {.in = "from pc.example.com (pc.example.com [192.0.2.2]) (authenticated as "
        "carol) by mail.example.net with ESMTP id 98; Mon, 15 Jan 2024 "
        "10:22:31 +0000",
     .helo = "pc.example.com",
     .rdns = "pc.example.com",
     .ip = "192.0.2.2",
     .by_host = "mail.example.net",
     .with = "ESMTP",
     .authenticated = TRUE,
     .auth_user = "carol",
     .id = "98",
     .date = "Mon, 15 Jan 2024 10:22:31 +0000",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
    },
    {.in = "from pc.example.com ([192.0.2.3]) (user dave) by mail.example.net "
        "with SMTP id 97; Mon, 15 Jan 2024 10:22:31 +0000",
     .helo = "pc.example.com",
     .ip = "192.0.2.3",
     .by_host = "mail.example.net",
     .with = "SMTP",
     .authenticated = TRUE,
     .auth_user = "dave",
     .id = "97",
     .date = "Mon, 15 Jan 2024 10:22:31 +0000",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
    },
    {.in = "from [192.0.2.1]:2525 by relay.example.net with SMTP; Mon, 15 Jan "
        "2024 10:22:31 +0000",
     .helo = "[192.0.2.1]:2525",
     .ip = "192.0.2.1",
     .port = 2525,
     .by_host = "relay.example.net",
     .with = "SMTP",
     .date = "Mon, 15 Jan 2024 10:22:31 +0000",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
    },
    {.in = "by mx.example.net with SMTP id 1 for <a@example.com>, "
        "<b@example.com>; Mon, 15 Jan 2024 10:22:31 +0000",
     .by_host = "mx.example.net",
     .with = "SMTP",
     .id = "1",
     .for_addr = "<a@example.com>, <b@example.com>",
     .date = "Mon, 15 Jan 2024 10:22:31 +0000",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
    },

    /* Spelling and layout */
    {.in = "FROM mail.example.org (mail.example.org [192.0.2.10]) BY "
        "mx.example.net WITH ESMTP ID abc FOR <u@example.net>; MON, 15 JAN "
        "2024 10:22:31 +0000",
     .helo = "mail.example.org",
     .rdns = "mail.example.org",
     .ip = "192.0.2.10",
     .by_host = "mx.example.net",
     .with = "ESMTP",
     .id = "abc",
     .for_addr = "u@example.net",
     .date = "MON, 15 JAN 2024 10:22:31 +0000",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
    },
    {.in = "from\tmail.example.org\t(mail.example.org [192.0.2.10])\t\tby  "
        "mx.example.net   with ESMTP;  Mon, 15 Jan 2024 10:22:31 +0000  ",
     .helo = "mail.example.org",
     .rdns = "mail.example.org",
     .ip = "192.0.2.10",
     .by_host = "mx.example.net",
     .with = "ESMTP",
     .date = "Mon, 15 Jan 2024 10:22:31 +0000",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
    },
    {.in = "from a.example.org\r\n\tby b.example.org with SMTP; Mon, 15 Jan "
        "2024 10:22:31 +0000",
     .helo = "a.example.org",
     .by_host = "b.example.org",
     .with = "SMTP",
     .date = "Mon, 15 Jan 2024 10:22:31 +0000",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
    },
    {.in = "Received:from a.example.org by b.example.org; Mon, 15 Jan 2024 "
        "10:22:31 +0000",
     .raw = "from a.example.org by b.example.org; Mon, 15 Jan 2024 10:22:31 "
         "+0000",
     .helo = "a.example.org",
     .by_host = "b.example.org",
     .date = "Mon, 15 Jan 2024 10:22:31 +0000",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
    },
    {.in = "received : from a.example.org by b.example.org; Mon, 15 Jan 2024 "
        "10:22:31 +0000",
     .raw = "from a.example.org by b.example.org; Mon, 15 Jan 2024 10:22:31 "
         "+0000",
     .helo = "a.example.org",
     .by_host = "b.example.org",
     .date = "Mon, 15 Jan 2024 10:22:31 +0000",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
    },
    {.in = "X-Received: from a.example.org by b.example.org with SMTP id 5; "
        "Mon, 15 Jan 2024 10:22:31 +0000",
     .raw = "from a.example.org by b.example.org with SMTP id 5; Mon, 15 Jan "
         "2024 10:22:31 +0000",
     .x_received = TRUE,
     .helo = "a.example.org",
     .by_host = "b.example.org",
     .with = "SMTP",
     .id = "5",
     .date = "Mon, 15 Jan 2024 10:22:31 +0000",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
    },
    {.in = "from a.example.org by b.example.org; Mon, 15 Jan 2024 10:22:31 Z",
     .helo = "a.example.org",
     .by_host = "b.example.org",
     .date = "Mon, 15 Jan 2024 10:22:31 Z",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
     .flags = MT_DATE_OBSOLETE_ZONE | MT_DATE_UNKNOWN_ZONE,
    },
    {.in = "from a.example.org by b.example.org; Thu, 21 Nov 96 12:11:51 PST",
     .helo = "a.example.org",
     .by_host = "b.example.org",
     .date = "Thu, 21 Nov 96 12:11:51 PST",
     .utc = "1996-11-21T20:11:51Z", .tz = -480,
     .flags = MT_DATE_TWO_DIGIT_YEAR | MT_DATE_OBSOLETE_ZONE,
    },
    {.in = "from a.example.org by b.example.org; Fri, 21 Nov 2014 23:35:53 "
        "+0000 (envelope-from <p@example.com>)",
     .helo = "a.example.org",
     .by_host = "b.example.org",
     .envelope_from = "p@example.com",
     .date = "Fri, 21 Nov 2014 23:35:53 +0000",
     .utc = "2014-11-21T23:35:53Z", .tz = 0,
    },
    {.in = "from a.example.org by b.example.org; Wed, 29 Apr 2015 23:34:45 "
        "+0000 (Coordinated Universal Time)",
     .helo = "a.example.org",
     .by_host = "b.example.org",
     .date = "Wed, 29 Apr 2015 23:34:45 +0000 (Coordinated Universal Time)",
     .utc = "2015-04-29T23:34:45Z", .tz = 0,
    },
    {.in = "from a.example.org by b.example.org; 2015-04-29T23:34:45Z",
     .helo = "a.example.org",
     .by_host = "b.example.org",
     .date = "2015-04-29T23:34:45Z",
     .utc = "2015-04-29T23:34:45Z", .tz = 0,
     .flags = MT_DATE_NO_DAY_NAME | MT_DATE_ISO,
    },
    {.in = "from a.example.org by b.example.org; Wed Apr 29 23:34:45 2015",
     .helo = "a.example.org",
     .by_host = "b.example.org",
     .date = "Wed Apr 29 23:34:45 2015",
     .utc = "2015-04-29T23:34:45Z", .tz = 0,
     .flags = MT_DATE_NO_ZONE | MT_DATE_ASCTIME,
    },

    /* Hostile and broken */
    {.in = "",
    },
    {.in = ";",
    },
    {.in = "   ",
    },
    {.in = "Received:",
     .raw = "",
    },
    {.in = "from a.example.org (b.example.org [192.0.2.1] by c.example.org "
        "with SMTP; Mon, 15 Jan 2024 10:22:31 +0000",
     .helo = "a.example.org",
     .ip = "192.0.2.1",
     .by_host = "c.example.org",
     .with = "SMTP",
     .date = "Mon, 15 Jan 2024 10:22:31 +0000",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
     .unparsed = "(b.example.org",
    },
    {.in = "from a.example.org) by c.example.org with SMTP; Mon, 15 Jan 2024 "
        "10:22:31 +0000",
     .helo = "a.example.org)",
     .by_host = "c.example.org",
     .with = "SMTP",
     .date = "Mon, 15 Jan 2024 10:22:31 +0000",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
    },
    {.in = "from a.example.org (b (c (d))) by e.example.org; Mon, 15 Jan 2024 "
        "10:22:31 +0000",
     .helo = "a.example.org",
     .by_host = "e.example.org",
     .date = "Mon, 15 Jan 2024 10:22:31 +0000",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
     .unparsed = "(b (c (d)))",
    },
    {.in = "\x01" "\x02" "\xff" "\xfe" " garbage \x80" "",
     .unparsed = "\x01" "\x02" "\xff" "\xfe" " garbage \x80" "",
    },
    {.in = "from \xc3" "(bad.example by mx.example.net; Mon, 15 Jan 2024 "
        "10:22:31 +0000",
     .helo = "\xc3" "(bad.example",
     .by_host = "mx.example.net",
     .date = "Mon, 15 Jan 2024 10:22:31 +0000",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
    },
    {.in = "; Mon, 15 Jan 2024 10:22:31 +0000",
     .date = "Mon, 15 Jan 2024 10:22:31 +0000",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
    },
    {.in = "from a.example.org by b.example.org with SMTP id x",
     .helo = "a.example.org",
     .by_host = "b.example.org",
     .with = "SMTP",
     .id = "x",
    },
    {.in = "from a.example.org by b.example.org; not a date",
     .helo = "a.example.org",
     .by_host = "b.example.org",
     .date = "not a date",
    },
    {.in = "from by with id for via",
    },
    {.in = "from a.example.org from b.example.org by c.example.org by "
        "d.example.org; Mon, 15 Jan 2024 10:22:31 +0000",
     .helo = "a.example.org",
     .by_host = "c.example.org",
     .date = "Mon, 15 Jan 2024 10:22:31 +0000",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
     .unparsed = "from b.example.org by d.example.org",
    },
    {.in = "from a.example.org by b.example.org; Mon, 15 Jan 2024 10:22:31 "
        "+0000 (PST",
     .helo = "a.example.org",
     .by_host = "b.example.org",
     .date = "Mon, 15 Jan 2024 10:22:31 +0000 (PST",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
    },
    {.in = "from a.example.org (b\\) c [192.0.2.1]) by d.example.org; Mon, 15 "
        "Jan 2024 10:22:31 +0000",
     .helo = "a.example.org",
     .by_host = "d.example.org",
     .date = "Mon, 15 Jan 2024 10:22:31 +0000",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
     .unparsed = "(b\\) c [192.0.2.1])",
    },
    {.in = "from a.example.org;;; by b.example.org;; ; Mon, 15 Jan 2024 "
        "10:22:31 +0000",
     .helo = "a.example.org",
     .by_host = "b.example.org",
     .date = "Mon, 15 Jan 2024 10:22:31 +0000",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
    },
    {.in = "from a.example.org ([192.0.2.1]:70000) by b.example.org; Mon, 15 "
        "Jan 2024 10:22:31 +0000",
     .helo = "a.example.org",
     .by_host = "b.example.org",
     .date = "Mon, 15 Jan 2024 10:22:31 +0000",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
     .unparsed = "([192.0.2.1]:70000)",
    },
    {.in = "from a.example.org ([192.0.02.1]) by b.example.org; Mon, 15 Jan "
        "2024 10:22:31 +0000",
     .helo = "a.example.org",
     .by_host = "b.example.org",
     .date = "Mon, 15 Jan 2024 10:22:31 +0000",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
     .unparsed = "([192.0.02.1])",
    },
    {.in = "from a.example.org by b.example.org; Mon, 15 Jan 2024 10:22:31 "
        "+9900",
     .helo = "a.example.org",
     .by_host = "b.example.org",
     .date = "Mon, 15 Jan 2024 10:22:31 +9900",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
     .flags = MT_DATE_BAD_ZONE,
    },
    {.in = "from a.example.org by b.example.org; Tue, 15 Jan 2024 10:22:31 "
        "-0000",
     .helo = "a.example.org",
     .by_host = "b.example.org",
     .date = "Tue, 15 Jan 2024 10:22:31 -0000",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
     .flags = MT_DATE_UNKNOWN_ZONE | MT_DATE_BAD_DAY_NAME,
    },
    {.in = "from a.example.org by b.example.org; Mon, 31 Feb 2024 10:22:31 "
        "+0000",
     .helo = "a.example.org",
     .by_host = "b.example.org",
     .date = "Mon, 31 Feb 2024 10:22:31 +0000",
    },
    {.in = "from a.example.org by b.example.org;",
     .helo = "a.example.org",
     .by_host = "b.example.org",
    },
    {.in = "((((((((((",
     .unparsed = "((((((((((",
    },
    {.in = "))))) from a.example.org",
     .helo = "a.example.org",
     .unparsed = ")))))",
    },
    {.in = "from a.example.org (192.0.2.1) (198.51.100.1) by b.example.org; "
        "Mon, 15 Jan 2024 10:22:31 +0000",
     .helo = "a.example.org",
     .ip = "192.0.2.1",
     .by_host = "b.example.org",
     .date = "Mon, 15 Jan 2024 10:22:31 +0000",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
     .unparsed = "(198.51.100.1)",
    },
    {.in = "from a.example.org (HELO one.example.org) (EHLO two.example.org) "
        "by b.example.org; Mon, 15 Jan 2024 10:22:31 +0000",
     .helo = "one.example.org",
     .rdns = "a.example.org",
     .helo_command = "HELO",
     .by_host = "b.example.org",
     .date = "Mon, 15 Jan 2024 10:22:31 +0000",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
     .unparsed = "(EHLO two.example.org)",
    },
    {.in = "by b.example.org (Postfix) with ESMTP (Exim 4.96) id 1; Mon, 15 "
        "Jan 2024 10:22:31 +0000",
     .by_host = "b.example.org",
     .software = "Postfix",
     .with = "ESMTP",
     .id = "1",
     .date = "Mon, 15 Jan 2024 10:22:31 +0000",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
     .unparsed = "(Exim 4.96)",
    },
    {.in = "from a.example.org by b.example.org with ESMTP SMTP HTTP LMTP id "
        "2; Mon, 15 Jan 2024 10:22:31 +0000",
     .helo = "a.example.org",
     .by_host = "b.example.org",
     .with = "ESMTP SMTP HTTP",
     .id = "2",
     .date = "Mon, 15 Jan 2024 10:22:31 +0000",
     .utc = "2024-01-15T10:22:31Z", .tz = 0,
     .unparsed = "LMTP",
    },
};

/* Shows a string with its non-printable bytes escaped, or NULL. */
static char *
show(const char *s)
{
    g_autofree char *e = NULL;

    if (s == NULL)
        return g_strdup("NULL");
    e = g_strescape(s, NULL);
    return g_strdup_printf("\"%s\"", e);
}

static guint
check_str(const char *field, const char *got, const char *want)
{
    g_autofree char *g = NULL;
    g_autofree char *w = NULL;

    if (g_strcmp0(got, want) == 0)
        return 0;
    g = show(got);
    w = show(want);
    g_test_message("  %s: got %s, expected %s", field, g, w);
    return 1;
}

static guint
check_int(const char *field, gint64 got, gint64 want)
{
    if (got == want)
        return 0;
    g_test_message("  %s: got %" G_GINT64_FORMAT ", expected %" G_GINT64_FORMAT,
                   field, got, want);
    return 1;
}

/* Compares every field of r with the row and reports each difference;
 * returns how many there were. */
static guint
check_received(const MtReceived *r, const Case *c)
{
    guint bad = 0;
    char utc[21];

    bad += check_str("raw", r->raw, c->raw ? c->raw : c->in);
    bad += check_int("x_received", r->x_received, c->x_received);
    bad += check_str("from_helo", r->from_helo, c->helo);
    bad += check_str("from_rdns", r->from_rdns, c->rdns);
    bad += check_str("from_ip", r->from_ip, c->ip);
    bad += check_int("from_port", r->from_port, c->port ? c->port : -1);
    bad += check_str("from_ident", r->from_ident, c->ident);
    bad += check_str("helo_command", r->helo_command, c->helo_command);
    bad += check_str("by_host", r->by_host, c->by_host);
    bad += check_str("by_ip", r->by_ip, c->by_ip);
    bad += check_str("by_software", r->by_software, c->software);
    bad += check_str("via", r->via, c->via);
    bad += check_str("with", r->with, c->with);
    bad += check_str("tls_version", r->tls_version, c->tls_version);
    bad += check_str("tls_cipher", r->tls_cipher, c->tls_cipher);
    bad += check_int("tls", r->tls, c->tls);
    bad += check_int("authenticated", r->authenticated, c->authenticated);
    bad += check_str("auth_user", r->auth_user, c->auth_user);
    bad += check_str("id", r->id, c->id);
    bad += check_str("for_addr", r->for_addr, c->for_addr);
    bad += check_str("envelope_from", r->envelope_from, c->envelope_from);
    bad += check_str("date", r->date, c->date);
    bad += check_int("date_valid", r->date_valid, c->utc != NULL);
    if (c->utc != NULL) {
        bad += check_str("date_parsed.timestamp",
                         mt_date_format_utc(r->date_parsed.timestamp, utc),
                         c->utc);
        bad += check_int("date_parsed.tz_offset", r->date_parsed.tz_offset,
                         c->tz);
        bad += check_int("date_parsed.flags", r->date_parsed.flags,
                         c->flags);
    } else {
        bad += check_int("date_parsed.timestamp", r->date_parsed.timestamp,
                         0);
        bad += check_int("date_parsed.tz_offset", r->date_parsed.tz_offset,
                         0);
        bad += check_int("date_parsed.flags", r->date_parsed.flags, 0);
    }
    bad += check_str("unparsed", r->unparsed, c->unparsed);
    return bad;
}

static void
test_table(gconstpointer data)
{
    const Case *c = data;
    MtReceived *r = mt_received_parse(c->in, strlen(c->in));
    guint bad = check_received(r, c);

    if (bad > 0) {
        g_autofree char *in = show(c->in);

        g_test_message("for %s", in);
    }
    g_assert_cmpuint(bad, ==, 0);
    mt_received_free(r);
}

/* Every string field, for the hostile inputs: they must all be NULL but
 * the ones named. */
static void
assert_only(const MtReceived *r, const char *const *allowed)
{
    const struct {
        const char *name;
        const char *value;
    } fields[] = {
        {"from_helo", r->from_helo},       {"from_rdns", r->from_rdns},
        {"from_ip", r->from_ip},           {"from_ident", r->from_ident},
        {"helo_command", r->helo_command}, {"by_host", r->by_host},
        {"by_ip", r->by_ip},               {"by_software", r->by_software},
        {"via", r->via},                   {"with", r->with},
        {"tls_version", r->tls_version},   {"tls_cipher", r->tls_cipher},
        {"auth_user", r->auth_user},       {"id", r->id},
        {"for_addr", r->for_addr},         {"envelope_from", r->envelope_from},
        {"date", r->date},                 {"unparsed", r->unparsed},
    };

    g_assert_nonnull(r->raw);
    for (gsize i = 0; i < G_N_ELEMENTS(fields); i++) {
        gboolean ok = FALSE;

        for (const char *const *a = allowed; *a != NULL; a++)
            ok = ok || strcmp(*a, fields[i].name) == 0;
        if (!ok && fields[i].value != NULL)
            g_test_message("%s is set", fields[i].name);
        g_assert_true(ok || fields[i].value == NULL);
    }
}

/* A generator of hostile input of about n bytes. */
typedef struct {
    const char *name;
    GString *(*make)(gsize n);
} Hostile;

static GString *
make_nested(gsize n)
{
    GString *s = g_string_new("from a.example.org ");

    for (gsize i = 0; i < n / 2; i++)
        g_string_append_c(s, '(');
    for (gsize i = 0; i < n / 2; i++)
        g_string_append_c(s, ')');
    g_string_append(s, " by b.example.org; Mon, 15 Jan 2024 10:22:31 +0000");
    return s;
}

static GString *
make_unclosed(gsize n)
{
    GString *s = g_string_new(NULL);

    for (gsize i = 0; i < n; i++)
        g_string_append_c(s, '(');
    return s;
}

static GString *
make_stray_close(gsize n)
{
    GString *s = g_string_new(NULL);

    for (gsize i = 0; i < n; i++)
        g_string_append_c(s, ')');
    return s;
}

static GString *
make_words(gsize n)
{
    GString *s = g_string_new("from a.example.org");

    while (s->len < n)
        g_string_append(s, " x");
    /* No ";": the date must be found at the end anyway. */
    g_string_append(s, " Mon, 15 Jan 2024 10:22:31 +0000");
    return s;
}

static GString *
make_semicolons(gsize n)
{
    GString *s = g_string_new(NULL);

    for (gsize i = 0; i < n; i++)
        g_string_append_c(s, ';');
    return s;
}

static GString *
make_keywords(gsize n)
{
    GString *s = g_string_new(NULL);

    while (s->len < n)
        g_string_append(s, "from by with id for via tls ");
    return s;
}

static GString *
make_comment_items(gsize n)
{
    GString *s = g_string_new("from a.example.org (");

    /* One comment of many items: every item is looked at once. */
    while (s->len < n)
        g_string_append(s, "[192.0.2.1 \"EHLO ");
    g_string_append(s, ") by b.example.org; Mon, 15 Jan 2024 10:22:31 +0000");
    return s;
}

static GString *
make_many_comments(gsize n)
{
    GString *s = g_string_new("from a.example.org");

    while (s->len < n)
        g_string_append(s, " (x [192.0.2.1])");
    g_string_append(s, " by b.example.org; Mon, 15 Jan 2024 10:22:31 +0000");
    return s;
}

static GString *
make_binary(gsize n)
{
    GString *s = g_string_new(NULL);
    guint32 x = 2463534242u;

    /* A fixed xorshift sequence: bytes 1-255, no NUL. */
    while (s->len < n) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        g_string_append_c(s, (char)(1 + x % 255));
    }
    return s;
}

/* Parses the input at n and 10n bytes. Both must finish (a quadratic pass
 * at 10 MiB would not finish within the test timeout) and what is kept
 * must grow with the input, not shrink or explode. */
static void
run_hostile(gconstpointer data)
{
    const Hostile *h = data;
    gsize kept[2] = {0, 0};

    for (int round = 0; round < 2; round++) {
        gsize n = round == 0 ? 100 * 1024 : 1000 * 1024;
        GString *s = h->make(n);
        MtReceived *r = mt_received_parse(s->str, s->len);

        g_assert_cmpuint(strlen(r->raw), ==, s->len);
        kept[round] = (r->unparsed ? strlen(r->unparsed) : 0) +
                      (r->from_helo ? strlen(r->from_helo) : 0) +
                      (r->by_host ? strlen(r->by_host) : 0);
        g_assert_cmpuint(kept[round], <=, 2 * s->len);
        mt_received_free(r);
        g_string_free(s, TRUE);
    }
    if (kept[0] > 64)
        g_assert_cmpuint(kept[1], >, 5 * kept[0]);
}

static void
test_nested_megabyte(void)
{
    static const char *const allowed[] = {"from_helo", "by_host", "date",
                                          "unparsed", NULL};
    GString *s = make_nested(1024 * 1024);
    MtReceived *r = mt_received_parse(s->str, s->len);

    assert_only(r, allowed);
    g_assert_cmpstr(r->from_helo, ==, "a.example.org");
    g_assert_cmpstr(r->by_host, ==, "b.example.org");
    g_assert_true(r->date_valid);
    /* The whole comment is evidence, kept as it was. */
    g_assert_cmpuint(strlen(r->unparsed), ==, 1024 * 1024);
    g_assert_true(r->unparsed[0] == '(' &&
                  r->unparsed[1024 * 1024 - 1] == ')');
    mt_received_free(r);
    g_string_free(s, TRUE);
}

static void
test_unclosed_megabyte(void)
{
    static const char *const allowed[] = {"unparsed", NULL};
    GString *s = make_unclosed(1024 * 1024);
    MtReceived *r = mt_received_parse(s->str, s->len);

    assert_only(r, allowed);
    g_assert_cmpstr(r->unparsed, ==, s->str);
    g_assert_false(r->date_valid);
    mt_received_free(r);
    g_string_free(s, TRUE);
}

static void
test_semicolons_only(void)
{
    static const char *const allowed[] = {NULL};
    GString *s = make_semicolons(1024 * 1024);
    MtReceived *r = mt_received_parse(s->str, s->len);

    assert_only(r, allowed);
    g_assert_false(r->date_valid);
    g_assert_cmpint(r->from_port, ==, -1);
    mt_received_free(r);
    g_string_free(s, TRUE);
}

static void
test_words_then_date(void)
{
    static const char *const allowed[] = {"from_helo", "date", "unparsed",
                                          NULL};
    GString *s = make_words(1024 * 1024);
    MtReceived *r = mt_received_parse(s->str, s->len);
    char utc[21];

    assert_only(r, allowed);
    g_assert_cmpstr(r->date, ==, "Mon, 15 Jan 2024 10:22:31 +0000");
    g_assert_true(r->date_valid);
    g_assert_cmpstr(mt_date_format_utc(r->date_parsed.timestamp, utc), ==,
                    "2024-01-15T10:22:31Z");
    g_assert_true(g_str_has_prefix(r->unparsed, "x x x"));
    mt_received_free(r);
    g_string_free(s, TRUE);
}

/* A NUL byte is read as a space and does not end the value. */
static void
test_embedded_nul(void)
{
    static const char in[] = "from a.example.org\0junk by b.example.org; "
                             "Mon, 15 Jan 2024 10:22:31 +0000";
    MtReceived *r = mt_received_parse(in, sizeof in - 1);

    g_assert_cmpstr(r->raw, ==, "from a.example.org junk by b.example.org; "
                                "Mon, 15 Jan 2024 10:22:31 +0000");
    g_assert_cmpstr(r->from_helo, ==, "a.example.org");
    g_assert_cmpstr(r->by_host, ==, "b.example.org");
    g_assert_cmpstr(r->unparsed, ==, "junk");
    g_assert_true(r->date_valid);
    mt_received_free(r);
}

/* Only len bytes are read; the value need not end with a NUL. */
static void
test_length_bounded(void)
{
    static const char in[] = "from a.example.org by b.example.org with SMTP"
                             " id 1; Mon, 15 Jan 2024 10:22:31 +0000";
    MtReceived *r = mt_received_parse(in, strlen("from a.example.org by "
                                                 "b.example.org"));

    g_assert_cmpstr(r->raw, ==, "from a.example.org by b.example.org");
    g_assert_cmpstr(r->by_host, ==, "b.example.org");
    g_assert_null(r->with);
    g_assert_null(r->date);
    mt_received_free(r);

    r = mt_received_parse(NULL, 0);
    g_assert_cmpstr(r->raw, ==, "");
    g_assert_null(r->unparsed);
    g_assert_cmpint(r->from_port, ==, -1);
    mt_received_free(r);
    mt_received_free(NULL);
}

static char *
json_of(const char *in)
{
    MtReceived *r = mt_received_parse(in, strlen(in));
    json_t *j = mt_json_received(r);
    char *text = json_dumps(j, JSON_COMPACT);

    json_decref(j);
    mt_received_free(r);
    return text;
}

/* The hop shape, key by key and in order. */
static void
test_json_shape(void)
{
    char *text = json_of(
        "from laptop.example.org (dsl.example.net [192.0.2.45]:52100) "
        "(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)) "
        "(Authenticated sender: bob@example.org) by smtp.example.org "
        "(Postfix) with ESMTPSA id 3B1C22A0F for <carol@example.com>; "
        "Wed, 10 Jan 2024 17:45:12 -0500 (EST)");

    g_assert_cmpstr(
        text, ==,
        "{\"from\":{\"helo\":\"laptop.example.org\",\"rdns\":\"dsl.example."
        "net\",\"ip\":\"192.0.2.45\",\"port\":52100,\"ident\":null},"
        "\"helo_command\":null,\"by\":{\"host\":\"smtp.example.org\",\"ip\":"
        "null,\"software\":\"Postfix\"},\"via\":null,\"with\":\"ESMTPSA\","
        "\"tls\":{\"version\":\"TLSv1.3\",\"cipher\":"
        "\"TLS_AES_256_GCM_SHA384\","
        "\"used\":true},\"auth\":{\"authenticated\":true,\"user\":\"bob@"
        "example.org\"},\"id\":\"3B1C22A0F\",\"for\":\"carol@example.com\","
        "\"envelope_from\":null,\"date\":\"Wed, 10 Jan 2024 17:45:12 -0500 "
        "(EST)\",\"timestamp\":\"2024-01-10T22:45:12Z\",\"tz_offset\":-300,"
        "\"date_flags\":[],\"x_received\":false,\"unparsed\":null,\"raw\":"
        "\"from laptop.example.org (dsl.example.net [192.0.2.45]:52100) "
        "(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)) "
        "(Authenticated sender: bob@example.org) by smtp.example.org "
        "(Postfix) with ESMTPSA id 3B1C22A0F for <carol@example.com>; "
        "Wed, 10 Jan 2024 17:45:12 -0500 (EST)\"}");
    free(text);
}

/* No date: timestamp, tz_offset null, no flags. An unknown offset
 * ("-0000") is null too, and the flags are named. */
static void
test_json_dates(void)
{
    char *text = json_of("from a.example.org by b.example.org; garbage");
    json_error_t error;
    json_t *j = json_loads(text, 0, &error);

    g_assert_nonnull(j);
    g_assert_cmpstr(json_string_value(json_object_get(j, "date")), ==,
                    "garbage");
    g_assert_true(json_is_null(json_object_get(j, "timestamp")));
    g_assert_true(json_is_null(json_object_get(j, "tz_offset")));
    g_assert_cmpuint(json_array_size(json_object_get(j, "date_flags")), ==, 0);
    g_assert_true(json_is_null(json_object_get(
        json_object_get(j, "from"), "port")));
    json_decref(j);
    free(text);

    text = json_of("(qmail 1 invoked by uid 89); 15 Jan 2024 10:22:31 -0000");
    j = json_loads(text, 0, &error);
    g_assert_nonnull(j);
    g_assert_cmpstr(json_string_value(json_object_get(j, "timestamp")), ==,
                    "2024-01-15T10:22:31Z");
    g_assert_true(json_is_null(json_object_get(j, "tz_offset")));
    g_assert_cmpstr(json_string_value(json_array_get(
                        json_object_get(j, "date_flags"), 0)),
                    ==, "no_day_name");
    g_assert_cmpstr(json_string_value(json_array_get(
                        json_object_get(j, "date_flags"), 1)),
                    ==, "unknown_zone");
    g_assert_cmpstr(json_string_value(json_object_get(
                        json_object_get(j, "from"), "ident")),
                    ==, "uid 89");
    json_decref(j);
    free(text);
}

/* Bytes that are not UTF-8 come out escaped, and the JSON stays valid. */
static void
test_json_bytes(void)
{
    char *text = json_of("from \xff\xfe.example by mx.example.net; "
                         "Mon, 15 Jan 2024 10:22:31 +0000");
    json_error_t error;
    json_t *j = json_loads(text, 0, &error);

    g_assert_nonnull(j);
    g_assert_cmpstr(json_string_value(json_object_get(
                        json_object_get(j, "from"), "helo")),
                    ==, "\\xFF\\xFE.example");
    g_assert_true(g_utf8_validate(text, -1, NULL));
    json_decref(j);
    free(text);
}

int
main(int argc, char **argv)
{
    static const Hostile hostile[] = {
        {"nested", make_nested},
        {"unclosed", make_unclosed},
        {"stray-close", make_stray_close},
        {"words", make_words},
        {"semicolons", make_semicolons},
        {"keywords", make_keywords},
        {"comment-items", make_comment_items},
        {"many-comments", make_many_comments},
        {"binary", make_binary},
    };

    g_test_init(&argc, &argv, NULL);
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *name = g_strdup_printf("/received/table/%03zu", i);

        g_test_add_data_func(name, &cases[i], test_table);
    }
    for (gsize i = 0; i < G_N_ELEMENTS(hostile); i++) {
        g_autofree char *name =
            g_strdup_printf("/received/hostile/%s", hostile[i].name);

        g_test_add_data_func(name, &hostile[i], run_hostile);
    }
    g_test_add_func("/received/nested-megabyte", test_nested_megabyte);
    g_test_add_func("/received/unclosed-megabyte", test_unclosed_megabyte);
    g_test_add_func("/received/semicolons-only", test_semicolons_only);
    g_test_add_func("/received/words-then-date", test_words_then_date);
    g_test_add_func("/received/embedded-nul", test_embedded_nul);
    g_test_add_func("/received/length-bounded", test_length_bounded);
    g_test_add_func("/received/json/shape", test_json_shape);
    g_test_add_func("/received/json/dates", test_json_dates);
    g_test_add_func("/received/json/bytes", test_json_bytes);
    return g_test_run();
}
