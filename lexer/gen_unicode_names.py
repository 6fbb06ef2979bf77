#!/usr/bin/env python3
"""Writes lexer/unicode_names.inc, the character names of the running CPython's Unicode database
(run with CPython 3.11: Unicode 14.0), for \\N{...} escapes and unicodedata.name/lookup:

    python3 lexer/gen_unicode_names.py > lexer/unicode_names.inc

Names are stored word-compressed: each distinct word once (grouped by length, sorted within a
group, so a word's number is found by binary search), each name as the bytes of its words'
codes. Names that are a prefix plus a number (CJK ideographs, Tangut components, ...) are rules
instead, and Hangul syllables are composed in code, as CPython does.
"""
import re
import sys
import unicodedata
from collections import Counter

# Formal name aliases (NameAliases.txt of Unicode 14.0), "code;alias;alias...", checked against
# unicodedata.lookup below. VS1..VS256 are added in code.
ALIASES = """
0000;NULL;NUL
0001;START OF HEADING;SOH
0002;START OF TEXT;STX
0003;END OF TEXT;ETX
0004;END OF TRANSMISSION;EOT
0005;ENQUIRY;ENQ
0006;ACKNOWLEDGE;ACK
0007;ALERT;BEL
0008;BACKSPACE;BS
0009;CHARACTER TABULATION;HORIZONTAL TABULATION;HT;TAB
000A;LINE FEED;NEW LINE;END OF LINE;LF;NL;EOL
000B;LINE TABULATION;VERTICAL TABULATION;VT
000C;FORM FEED;FF
000D;CARRIAGE RETURN;CR
000E;SHIFT OUT;LOCKING-SHIFT ONE;SO
000F;SHIFT IN;LOCKING-SHIFT ZERO;SI
0010;DATA LINK ESCAPE;DLE
0011;DEVICE CONTROL ONE;DC1
0012;DEVICE CONTROL TWO;DC2
0013;DEVICE CONTROL THREE;DC3
0014;DEVICE CONTROL FOUR;DC4
0015;NEGATIVE ACKNOWLEDGE;NAK
0016;SYNCHRONOUS IDLE;SYN
0017;END OF TRANSMISSION BLOCK;ETB
0018;CANCEL;CAN
0019;END OF MEDIUM;EOM
001A;SUBSTITUTE;SUB
001B;ESCAPE;ESC
001C;INFORMATION SEPARATOR FOUR;FILE SEPARATOR;FS
001D;INFORMATION SEPARATOR THREE;GROUP SEPARATOR;GS
001E;INFORMATION SEPARATOR TWO;RECORD SEPARATOR;RS
001F;INFORMATION SEPARATOR ONE;UNIT SEPARATOR;US
0020;SP
007F;DELETE;DEL
0080;PADDING CHARACTER;PAD
0081;HIGH OCTET PRESET;HOP
0082;BREAK PERMITTED HERE;BPH
0083;NO BREAK HERE;NBH
0084;INDEX;IND
0085;NEXT LINE;NEL
0086;START OF SELECTED AREA;SSA
0087;END OF SELECTED AREA;ESA
0088;CHARACTER TABULATION SET;HORIZONTAL TABULATION SET;HTS
0089;CHARACTER TABULATION WITH JUSTIFICATION;HORIZONTAL TABULATION WITH JUSTIFICATION;HTJ
008A;LINE TABULATION SET;VERTICAL TABULATION SET;VTS
008B;PARTIAL LINE FORWARD;PARTIAL LINE DOWN;PLD
008C;PARTIAL LINE BACKWARD;PARTIAL LINE UP;PLU
008D;REVERSE LINE FEED;REVERSE INDEX;RI
008E;SINGLE SHIFT TWO;SINGLE-SHIFT-2;SS2
008F;SINGLE SHIFT THREE;SINGLE-SHIFT-3;SS3
0090;DEVICE CONTROL STRING;DCS
0091;PRIVATE USE ONE;PRIVATE USE-1;PU1
0092;PRIVATE USE TWO;PRIVATE USE-2;PU2
0093;SET TRANSMIT STATE;STS
0094;CANCEL CHARACTER;CCH
0095;MESSAGE WAITING;MW
0096;START OF GUARDED AREA;START OF PROTECTED AREA;SPA
0097;END OF GUARDED AREA;END OF PROTECTED AREA;EPA
0098;START OF STRING;SOS
0099;SINGLE GRAPHIC CHARACTER INTRODUCER;SGC
009A;SINGLE CHARACTER INTRODUCER;SCI
009B;CONTROL SEQUENCE INTRODUCER;CSI
009C;STRING TERMINATOR;ST
009D;OPERATING SYSTEM COMMAND;OSC
009E;PRIVACY MESSAGE;PM
009F;APPLICATION PROGRAM COMMAND;APC
00A0;NBSP
00AD;SHY
01A2;LATIN CAPITAL LETTER GHA
01A3;LATIN SMALL LETTER GHA
034F;CGJ
061C;ALM
0709;SYRIAC SUBLINEAR COLON SKEWED LEFT
0CDE;KANNADA LETTER LLLA
0E9D;LAO LETTER FO FON
0E9F;LAO LETTER FO FAY
0EA3;LAO LETTER RO
0EA5;LAO LETTER LO
0FD0;TIBETAN MARK BKA- SHOG GI MGO RGYAN
180B;FVS1
180C;FVS2
180D;FVS3
180E;MVS
180F;FVS4
200B;ZWSP
200C;ZWNJ
200D;ZWJ
200E;LRM
200F;RLM
202A;LRE
202B;RLE
202C;PDF
202D;LRO
202E;RLO
202F;NNBSP
205F;MMSP
2060;WJ
2066;LRI
2067;RLI
2068;FSI
2069;PDI
2118;WEIERSTRASS ELLIPTIC FUNCTION
2448;MICR ON US SYMBOL
2449;MICR DASH SYMBOL
2B7A;LEFTWARDS TRIANGLE-HEADED ARROW WITH DOUBLE VERTICAL STROKE
2B7C;RIGHTWARDS TRIANGLE-HEADED ARROW WITH DOUBLE VERTICAL STROKE
A015;YI SYLLABLE ITERATION MARK
FE18;PRESENTATION FORM FOR VERTICAL RIGHT WHITE LENTICULAR BRACKET
FEFF;BYTE ORDER MARK;BOM;ZWNBSP
122D4;CUNEIFORM SIGN NU11 TENU
122D5;CUNEIFORM SIGN NU11 OVER NU11 BUR OVER BUR
16E56;MEDEFAIDRIN CAPITAL LETTER H
16E57;MEDEFAIDRIN CAPITAL LETTER NG
16E76;MEDEFAIDRIN SMALL LETTER H
16E77;MEDEFAIDRIN SMALL LETTER NG
1B001;HENTAIGANA LETTER E-1
1D0C5;BYZANTINE MUSICAL SYMBOL FTHORA SKLIRON CHROMA VASIS
"""

FREQUENT = 190  # codes 1..FREQUENT are one-byte words; 0 ends a name; the rest lead two bytes
HANGUL_FIRST, HANGUL_LAST = 0xAC00, 0xD7A3
MIN_RULE_RUN = 8  # shorter runs of numbered names are stored as words


def aliases():
    out = []
    for line in ALIASES.strip().splitlines():
        code, *names = line.split(";")
        out += [(int(code, 16), name) for name in names]
    out += [(0xFE00 + n - 1, f"VS{n}") for n in range(1, 17)]
    out += [(0xE0100 + n - 17, f"VS{n}") for n in range(17, 257)]
    for cp, name in out:
        assert unicodedata.lookup(name) == chr(cp), name
    return out


def numbered(cp, name):
    """(prefix, kind, number, width) when [name] is a prefix and a number (zero-padded to
    [width] digits), else None."""
    m = re.fullmatch(r"(.*-)([0-9A-F]{4,6})", name)
    if m and m.group(2) == f"{cp:04X}":
        return m.group(1), "hex", cp, 4
    m = re.fullmatch(r"(.*-)([0-9]+)", name)
    if m:
        digits = m.group(2)
        return m.group(1), "dec", int(digits), len(digits) if digits[0] == "0" else 0
    return None


def collect():
    """The stored names by code point, and the rules: [(first, last, prefix, kind, number,
    width, case-sensitive)] where the name of first + i is prefix + (number + i) in kind."""
    stored, rules, run = {}, [], None
    for cp in range(0x110000):
        name = unicodedata.name(chr(cp), None)
        if name is None or HANGUL_FIRST <= cp <= HANGUL_LAST:
            continue
        n = numbered(cp, name)
        if (run and n and run["last"] == cp - 1 and n[0] == run["prefix"] and n[1] == run["kind"]
                and n[3] == run["width"] and n[2] == run["number"] + cp - run["first"]):
            run["last"] = cp
            run["names"][cp] = name
            continue
        if run:
            flush(run, stored, rules)
        run = None
        if n:
            run = dict(first=cp, last=cp, prefix=n[0], kind=n[1], number=n[2], width=n[3],
                       names={cp: name})
        else:
            stored[cp] = name
    flush(run, stored, rules)
    return stored, rules


def flush(run, stored, rules):
    if run is None:
        return
    # CPython composes the CJK unified ideographs' names (case-sensitively); other numbered
    # names are in its tables, looked up case-insensitively.
    always = run["prefix"] == "CJK UNIFIED IDEOGRAPH-"
    if always or run["last"] - run["first"] + 1 >= MIN_RULE_RUN:
        rules.append((run["first"], run["last"], run["prefix"], run["kind"], run["number"],
                      run["width"], always))
    else:
        stored.update(run["names"])


def emit_array(ctype, name, items, per_line=16):
    print(f"const {ctype} {name}[] = {{")
    for i in range(0, len(items), per_line):
        print("    " + ", ".join(str(x) for x in items[i:i + per_line]) + ",")
    print("};")


def main():
    stored, rules = collect()
    counts = Counter(w for name in stored.values() for w in name.split(" "))
    words = sorted(counts, key=lambda w: (len(w), w))
    number = {w: i for i, w in enumerate(words)}
    frequent = [w for w, _ in counts.most_common(FREQUENT)]
    assert (256 - FREQUENT - 1) * 256 >= len(words)
    code = {w: [i + 1] for i, w in enumerate(frequent)}
    for w in words:
        code.setdefault(w, [FREQUENT + 1 + number[w] // 256, number[w] % 256])

    print("// Generated by lexer/gen_unicode_names.py from CPython "
          f"{sys.version.split()[0]}'s unicodedata (Unicode {unicodedata.unidata_version}).")
    print("// Do not edit.")
    print(f"constexpr int kFrequentWords = {FREQUENT};")
    print(f"constexpr int kNamesPerBlock = {NAMES_PER_BLOCK};")
    # Words of length L are kWordChars[kWordGroups[L].chars ...], numbered from kWordGroups[L].first.
    max_len = max(len(w) for w in words)
    groups, first, chars = [], 0, 0
    for length in range(max_len + 2):
        groups.append(f"{{{first}, {chars}}}")
        k = sum(1 for w in words if len(w) == length)
        first += k
        chars += k * length
    emit_array("WordGroup", "kWordGroups", groups, 8)
    text = "".join(words)
    print("const char kWordChars[] =")
    for i in range(0, len(text), 96):
        print(f'    "{text[i:i + 96]}"')
    print(";")
    emit_array("uint16_t", "kFrequent", [number[w] for w in frequent])

    # Names in code point order: runs of consecutive code points, and the encoded names.
    runs, phrases, starts = [], [], []
    prev = None
    for index, cp in enumerate(sorted(stored)):
        if prev is None or cp != prev + 1:
            runs.append(f"{{0x{cp:X}, {index}}}")
        prev = cp
        if index % NAMES_PER_BLOCK == 0:
            starts.append(len(phrases))
        for w in stored[cp].split(" "):
            phrases += code[w]
        phrases.append(0)
    runs.append(f"{{0x110000, {len(stored)}}}")
    emit_array("NameRun", "kNameRuns", runs, 6)
    emit_array("uint32_t", "kBlockStarts", starts, 12)
    emit_array("uint8_t", "kPhrases", phrases, 24)

    items = []
    for first, last, prefix, kind, num, width, always in rules:
        items.append(f'{{0x{first:X}, 0x{last:X}, "{prefix}", {"true" if kind == "hex" else "false"}, '
                     f'{num}, {width}, {"true" if always else "false"}}}')
    emit_array("NameRule", "kNameRules", items, 1)
    items = [f'{{0x{cp:X}, "{name}"}}' for cp, name in aliases()]
    emit_array("NameAlias", "kNameAliases", items, 3)


NAMES_PER_BLOCK = 32

if __name__ == "__main__":
    main()
