// Unicode character names (CPython 3.11's unicodedata: Unicode 14.0), from the word-compressed
// tables of gen_unicode_names.py, plus the names CPython composes: Hangul syllables and CJK
// unified ideographs.
#include "lexer/unicode.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace apy::lex::unicode {

namespace {

struct WordGroup {
    uint16_t first;  // number of the group's first word
    uint32_t chars;  // offset of its first word in kWordChars
};
struct NameRun {
    uint32_t first_cp;
    uint16_t first_name;  // names are numbered in code point order
};
// first..last are named prefix + (number + cp - first), in hex (4 digits at least) or decimal
// (zero-padded to width); only CJK unified ideographs are matched case-sensitively.
struct NameRule {
    uint32_t first, last;
    const char* prefix;
    bool hex;
    uint32_t number;
    int width;
    bool case_sensitive;
};
struct NameAlias {
    uint32_t cp;
    const char* name;
};

#include "lexer/unicode_names.inc"

constexpr int kMaxNameLength = 256;  // CPython's NAME_MAXLEN
constexpr size_t kGroupCount = sizeof(kWordGroups) / sizeof(kWordGroups[0]);

std::string_view word(int number) {
    size_t length = 0;
    while (kWordGroups[length + 1].first <= number) ++length;
    const WordGroup& g = kWordGroups[length];
    return {kWordChars + g.chars + (number - g.first) * length, length};
}

// The word's number, or -1 when no name has it.
int word_number(std::string_view w) {
    if (w.empty() || w.size() + 1 >= kGroupCount) return -1;
    const WordGroup& g = kWordGroups[w.size()];
    int lo = g.first, hi = kWordGroups[w.size() + 1].first;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        int c = std::memcmp(kWordChars + g.chars + (mid - g.first) * w.size(), w.data(), w.size());
        if (c == 0) return mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

// Appends the code of word [number] as it is stored in kPhrases.
void append_code(std::string& out, int number) {
    const uint16_t* f = std::find(kFrequent, kFrequent + kFrequentWords, number);
    if (f != kFrequent + kFrequentWords) {
        out += static_cast<char>(f - kFrequent + 1);
    } else {
        out += static_cast<char>(kFrequentWords + 1 + number / 256);
        out += static_cast<char>(number % 256);
    }
}

// The offset in kPhrases just past the name starting at [pos] (its terminating 0).
size_t skip_name(size_t pos) {
    while (kPhrases[pos] != 0) pos += kPhrases[pos] > kFrequentWords ? 2 : 1;
    return pos + 1;
}

std::string stored_name(int index) {
    size_t pos = kBlockStarts[index / kNamesPerBlock];
    for (int k = index % kNamesPerBlock; k > 0; --k) pos = skip_name(pos);
    std::string out;
    for (; kPhrases[pos] != 0; pos += kPhrases[pos] > kFrequentWords ? 2 : 1) {
        int code = kPhrases[pos];
        int number = code <= kFrequentWords ? kFrequent[code - 1]
                                            : (code - kFrequentWords - 1) * 256 + kPhrases[pos + 1];
        if (!out.empty()) out += ' ';
        out.append(word(number));
    }
    return out;
}

// The stored name equal to [upper] (an upper-case name), as a code point, or -1.
int32_t find_stored(std::string_view upper) {
    std::string encoded;
    for (size_t start = 0;;) {
        size_t space = upper.find(' ', start);
        int number = word_number(upper.substr(start, space - start));
        if (number < 0) return -1;
        append_code(encoded, number);
        if (space == std::string_view::npos) break;
        start = space + 1;
    }
    encoded += '\0';
    const size_t count = sizeof(kPhrases);
    int index = 0;
    for (size_t pos = 0; pos < count; ++index) {
        size_t end = skip_name(pos);
        if (end - pos == encoded.size() &&
            std::memcmp(kPhrases + pos, encoded.data(), end - pos) == 0) {
            const NameRun* run =
                std::upper_bound(std::begin(kNameRuns), std::end(kNameRuns), index,
                                 [](int i, const NameRun& r) { return i < r.first_name; });
            --run;
            return static_cast<int32_t>(run->first_cp + (index - run->first_name));
        }
        pos = end;
    }
    return -1;
}

std::string rule_name(const NameRule& rule, uint32_t cp) {
    char digits[16];
    std::snprintf(digits, sizeof digits, rule.hex ? "%0*X" : "%0*u", rule.width,
                  rule.number + (cp - rule.first));
    return rule.prefix + std::string(digits);
}

// The code point a rule names [name] ([upper]: upper-cased), or -1.
int32_t find_by_rule(std::string_view name, std::string_view upper) {
    for (const NameRule& rule : kNameRules) {
        std::string_view text = rule.case_sensitive ? name : upper;
        size_t prefix_length = std::strlen(rule.prefix);
        if (text.substr(0, prefix_length) != rule.prefix) continue;
        std::string_view digits = text.substr(prefix_length);
        if (digits.empty() || digits.size() > 6) continue;
        uint32_t value = 0;
        bool ok = true;
        for (char c : digits) {
            int d = c >= '0' && c <= '9'               ? c - '0'
                    : rule.hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                       : -1;
            if (d < 0) ok = false;
            value = value * (rule.hex ? 16 : 10) + d;
        }
        if (!ok || value < rule.number || value - rule.number > rule.last - rule.first) continue;
        uint32_t cp = rule.first + (value - rule.number);
        // CPython accepts 4 or 5 hex digits for CJK ideographs; stored names only as written.
        if (rule.case_sensitive ? digits.size() >= 4 && digits.size() <= 5
                                : rule_name(rule, cp) == upper)
            return static_cast<int32_t>(cp);
    }
    return -1;
}

// Hangul syllables: "HANGUL SYLLABLE " and the romanised jamo (Unicode's algorithm).
constexpr uint32_t kHangulFirst = 0xAC00, kHangulLast = 0xD7A3;
constexpr const char* kLeading[19] = {"G",  "GG", "N", "D",  "DD", "R", "M", "B", "BB", "S",
                                      "SS", "",   "J", "JJ", "C",  "K", "T", "P", "H"};
constexpr const char* kVowels[21] = {"A",   "AE", "YA", "YAE", "EO", "E",  "YEO",
                                     "YE",  "O",  "WA", "WAE", "OE", "YO", "U",
                                     "WEO", "WE", "WI", "YU",  "EU", "YI", "I"};
constexpr const char* kTrailing[28] = {"",   "G",  "GG", "GS", "N",  "NJ", "NH", "D", "L",  "LG",
                                       "LM", "LB", "LS", "LT", "LP", "LH", "M",  "B", "BS", "S",
                                       "SS", "NG", "J",  "C",  "K",  "T",  "P",  "H"};
constexpr std::string_view kHangulPrefix = "HANGUL SYLLABLE ";

// The longest jamo of [table] at the start of [text] (CPython's find_syllable), consumed.
int take_jamo(std::string_view& text, const char* const* table, int count) {
    int best = -1;
    size_t best_length = 0;
    for (int i = 0; i < count; ++i) {
        size_t length = std::strlen(table[i]);
        if ((best < 0 || length > best_length) && text.substr(0, length) == table[i]) {
            best = i;
            best_length = length;
        }
    }
    text.remove_prefix(best_length);
    return best;
}

int32_t find_hangul(std::string_view name) {
    name.remove_prefix(kHangulPrefix.size());
    int l = take_jamo(name, kLeading, 19);
    int v = take_jamo(name, kVowels, 21);
    int t = take_jamo(name, kTrailing, 28);
    if (l < 0 || v < 0 || t < 0 || !name.empty()) return -1;
    return static_cast<int32_t>(kHangulFirst + (l * 21 + v) * 28 + t);
}

}  // namespace

int32_t lookup_name(std::string_view name) {
    if (name.size() > kMaxNameLength) return -1;
    if (name.substr(0, kHangulPrefix.size()) == kHangulPrefix) return find_hangul(name);
    std::string upper(name);
    for (char& c : upper) c = c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    int32_t cp = find_by_rule(name, upper);
    if (cp < 0) cp = find_stored(upper);
    if (cp >= 0) return cp;
    for (const NameAlias& alias : kNameAliases)
        if (upper == alias.name) return static_cast<int32_t>(alias.cp);
    return -1;
}

std::string character_name(uint32_t cp) {
    if (cp >= kHangulFirst && cp <= kHangulLast) {
        uint32_t s = cp - kHangulFirst;
        return std::string(kHangulPrefix) + kLeading[s / (21 * 28)] + kVowels[s / 28 % 21] +
               kTrailing[s % 28];
    }
    for (const NameRule& rule : kNameRules)
        if (cp >= rule.first && cp <= rule.last) return rule_name(rule, cp);
    const NameRun* run =
        std::upper_bound(std::begin(kNameRuns), std::end(kNameRuns), cp,
                         [](uint32_t c, const NameRun& r) { return c < r.first_cp; });
    if (run == std::begin(kNameRuns) || run == std::end(kNameRuns)) return "";
    const NameRun& found = run[-1];
    if (cp - found.first_cp >= static_cast<uint32_t>(run->first_name - found.first_name)) return "";
    return stored_name(found.first_name + static_cast<int>(cp - found.first_cp));
}

}  // namespace apy::lex::unicode
