#include "cnnbp/oracle/npy.hpp"

#include "cnnbp/core/error.hpp"
#include "cnnbp/core/float_format.hpp"
#include "cnnbp/core/limits.hpp"
#include "cnnbp/oracle/case_file.hpp"

#include <algorithm>
#include <bit>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iomanip>
#include <limits>
#include <memory>
#include <sstream>

namespace cnnbp {

namespace {

// An NPY file is the magic string "\x93NUMPY", two version bytes, the header's length (2 bytes little-endian in
// version 1, 4 in versions 2 and 3), the header, and the elements in row-major order, nothing after them.
constexpr char magic[] = "\x93NUMPY";
constexpr std::size_t magic_bytes = 6;
// NumPy writes a header of a few hundred bytes and itself refuses one beyond 10000 (np.load's max_header_size).
constexpr std::uint64_t max_header_bytes = 1 << 16;

// One element type: the type, its NumPy description, its size in bytes and its name in messages.
struct TypeInfo {
    NpyType type;
    const char* descr;
    std::size_t bytes;
    const char* name;
};

constexpr TypeInfo type_infos[] = {
    {NpyType::float64, "<f8", 8, "float64"}, {NpyType::float32, "<f4", 4, "float32"},
    {NpyType::float16, "<f2", 2, "float16"}, {NpyType::bfloat16, "<u2", 2, "bfloat16"},
    {NpyType::int64, "<i8", 8, "int64"},     {NpyType::int32, "<i4", 4, "int32"}};

const TypeInfo& info(NpyType type) {
    return *std::find_if(std::begin(type_infos), std::end(type_infos), [&](const TypeInfo& t) { return t.type == type; });
}

// ---- the header: a Python dict literal, {'descr': '<f4', 'fortran_order': False, 'shape': (8, 64, 56, 56), }

struct Header {
    std::string descr;
    bool fortran_order = false;
    std::vector<std::uint64_t> shape;
};

// A reading position in the header text; `what` names the file in messages.
struct Cursor {
    const std::string& text;
    const std::string& what;
    std::size_t at = 0;

    [[noreturn]] void bad(const std::string& expected) const {
        fail(what, ": the header is not the dictionary an NPY file starts with (", expected, " at byte ", at,
             " of: ", text.substr(0, 120), ")");
    }
    void skip_space() {
        while (at < text.size() && (text[at] == ' ' || text[at] == '\n' || text[at] == '\t')) ++at;
    }
    bool take(char c) {
        skip_space();
        if (at < text.size() && text[at] == c) return ++at, true;
        return false;
    }
    void expect(char c) {
        if (!take(c)) bad(std::string("expected '") + c + "'");
    }
    std::string string() {
        skip_space();
        if (at >= text.size() || (text[at] != '\'' && text[at] != '"')) bad("expected a quoted string");
        const char quote = text[at++];
        const std::size_t end = text.find(quote, at);
        if (end == std::string::npos) bad("an unterminated string");
        std::string s = text.substr(at, end - at);
        at = end + 1;
        return s;
    }
    bool boolean() {
        skip_space();
        for (const bool value : {true, false}) {
            const std::string word = value ? "True" : "False";
            if (text.compare(at, word.size(), word) == 0) return at += word.size(), value;
        }
        bad("expected True or False");
    }
    // (), (5,) or (2, 3): Python writes a one-element tuple with a comma
    std::vector<std::uint64_t> tuple() {
        expect('(');
        std::vector<std::uint64_t> items;
        while (!take(')')) {
            skip_space();
            if (at >= text.size() || !std::isdigit(static_cast<unsigned char>(text[at]))) bad("expected a dimension");
            std::uint64_t n = 0;
            for (; at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])); ++at)
                if (__builtin_mul_overflow(n, 10u, &n) || __builtin_add_overflow(n, unsigned(text[at] - '0'), &n))
                    bad("a dimension beyond 2^64");
            take('L');  // Python 2 wrote long integers so
            items.push_back(n);
            if (!take(',')) {
                expect(')');
                break;
            }
        }
        return items;
    }
};

Header parse_header(const std::string& text, const std::string& what) {
    Cursor c{text, what};
    Header h;
    bool descr = false, order = false, shape = false;
    c.expect('{');
    while (!c.take('}')) {
        const std::string key = c.string();
        c.expect(':');
        if (key == "descr") {
            c.skip_space();
            if (c.at < text.size() && text[c.at] == '[')
                fail(what, ": a structured array (descr is a list of fields) is not a tensor");
            h.descr = c.string(), descr = true;
        } else if (key == "fortran_order") {
            h.fortran_order = c.boolean(), order = true;
        } else if (key == "shape") {
            h.shape = c.tuple(), shape = true;
        } else {
            c.bad("an unknown key '" + key + "'");
        }
        if (!c.take(',')) {
            c.expect('}');
            break;
        }
    }
    c.skip_space();
    if (c.at != text.size()) c.bad("text after the dictionary");
    if (!descr || !order || !shape) fail(what, ": the header lacks ", !descr ? "descr" : !order ? "fortran_order" : "shape");
    return h;
}

// The element type a header's descr names: one of cnnbp's, little-endian, and `<u2` exactly when bfloat16 was asked.
const TypeInfo& element_type(const std::string& descr, bool bfloat16, const std::string& what) {
    if (!descr.empty() && descr[0] == '>')
        fail(what, ": big-endian elements ('", descr, "'); cnnbp reads little-endian files (save a.astype('<",
             descr.substr(1), "'))");
    if (bfloat16 && descr != "<u2")
        fail(what, ": the reference says \"dtype\": \"bfloat16\", which is stored as '<u2', but the file holds '", descr, "'");
    if (!bfloat16 && descr == "<u2")
        fail(what, ": '<u2' (uint16) is read only as bfloat16, and only when the reference says \"dtype\": \"bfloat16\"");
    for (const TypeInfo& t : type_infos)
        if (descr == t.descr) return t;
    fail(what, ": elements of type '", descr, "', which cnnbp does not read (float64 '<f8', float32 '<f4', float16 '<f2', "
         "int64 '<i8', int32 '<i4', and bfloat16 as '<u2')");
}

// The number of elements of `shape`, refused when it is over limits().elements or has an empty dimension.
std::uint64_t element_count(const std::vector<std::uint64_t>& shape, const std::string& what) {
    std::ostringstream text;
    text << '(';
    for (std::size_t i = 0; i < shape.size(); ++i) text << (i ? ", " : "") << shape[i];
    text << (shape.size() == 1 ? ",)" : ")");
    if (shape.size() > limits().nesting)
        fail(what, ": the shape ", text.str(), " has rank ", shape.size(), ", more than ", limits().nesting);
    std::uint64_t n = 1;
    bool overflow = false;
    for (std::uint64_t d : shape) {
        if (d == 0) fail(what, ": the shape ", text.str(), " has an empty dimension; every dimension must have at least one element");
        overflow = overflow || __builtin_mul_overflow(n, d, &n);
    }
    if (overflow || n > limits().elements)
        fail(what, ": the header's shape ", text.str(), " has ", overflow ? "more than 2^64" : std::to_string(n),
             " elements, more than the limit of ", limits().elements, " (--max-elements)");
    return n;
}

// The size of the file at `path`, which must be a regular file within limits().file_bytes.
std::uint64_t file_size(const std::string& path, const std::string& what) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (status.type() == fs::file_type::not_found) fail(what, ": no such file");
    if (ec) fail(what, ": cannot be read (", ec.message(), ")");
    if (fs::is_directory(status)) fail(what, ": is a folder, not a file");
    if (!fs::is_regular_file(status)) fail(what, ": is not a regular file");
    const std::uintmax_t size = fs::file_size(path, ec);
    if (ec) fail(what, ": cannot be read (", ec.message(), ")");
    if (size > limits().file_bytes)
        fail(what, ": ", size, " bytes, more than the ", limits().file_bytes, " a case or result file may have (--max-file-bytes)");
    return size;
}

// ---- elements

// The value of type T stored little-endian at p.
template <class T>
T little_endian(const unsigned char* p) {
    unsigned char bytes[sizeof(T)];
    if constexpr (std::endian::native == std::endian::little) std::memcpy(bytes, p, sizeof bytes);
    else std::reverse_copy(p, p + sizeof bytes, bytes);
    T value;
    std::memcpy(&value, bytes, sizeof value);
    return value;
}

// Stores `value` little-endian at the end of `out`.
template <class T>
void append_little_endian(std::string& out, T value) {
    char bytes[sizeof(T)];
    std::memcpy(bytes, &value, sizeof bytes);
    if constexpr (std::endian::native == std::endian::big) std::reverse(bytes, bytes + sizeof bytes);
    out.append(bytes, sizeof bytes);
}

// IEEE half precision: a sign, 5 exponent bits (bias 15) and 10 fraction bits; exponent 0 is zero or subnormal
// (f 2^-24), 31 is infinity (f = 0) or NaN.
double from_float16(std::uint16_t h) {
    const int e = (h >> 10) & 0x1f, f = h & 0x3ff;
    const double magnitude = e == 0    ? std::ldexp(f, -24)
                             : e == 31 ? (f ? std::numeric_limits<double>::quiet_NaN() : std::numeric_limits<double>::infinity())
                                       : std::ldexp(f + 1024, e - 25);
    return h & 0x8000 ? -magnitude : magnitude;
}

// bfloat16: the upper half of a float32, so it is read back by appending 16 zero bits.
double from_bfloat16(std::uint16_t h) { return std::bit_cast<float>(std::uint32_t(h) << 16); }

// The bits of x rounded to the nearest value of `f`, float16 or bfloat16 (by round_to(): one rounding from the double,
// ties to even, infinity beyond the largest value), as a sign, 15 - (p - 1) exponent bits and p - 1 fraction bits.
std::uint16_t narrow_bits(double x, const FloatFormat& f) {
    const int fraction_bits = f.p - 1, exponent_bits = 15 - fraction_bits;
    const unsigned sign = std::signbit(x) ? 0x8000u : 0u;
    const unsigned infinity = ((1u << exponent_bits) - 1) << fraction_bits;
    if (std::isnan(x)) return std::uint16_t(sign | infinity | 1u << (fraction_bits - 1));  // the quiet NaN
    const double a = std::abs(round_to(x, f));
    if (std::isinf(a)) return std::uint16_t(sign | infinity);
    const int e = a == 0 ? f.emin : std::max(std::ilogb(a), f.emin);  // subnormals share the smallest exponent
    const unsigned m = unsigned(std::ldexp(a, fraction_bits - e));     // exact: a is a value of f
    // m has its leading bit at 2^f for a normal number (none for a subnormal); adding it to the exponent field minus
    // one stores both
    return std::uint16_t(sign | ((unsigned(e - f.emin) << fraction_bits) + m));
}

// Every element of `bytes` (of type `type`) as a double, into `out` (already of the right size).
void convert(NpyType type, const unsigned char* bytes, std::vector<double>& out) {
    const std::size_t n = out.size();
    switch (type) {
    case NpyType::float64:
        for (std::size_t k = 0; k < n; ++k) out[k] = little_endian<double>(bytes + 8 * k);
        break;
    case NpyType::float32:
        for (std::size_t k = 0; k < n; ++k) out[k] = little_endian<float>(bytes + 4 * k);
        break;
    case NpyType::float16:
        for (std::size_t k = 0; k < n; ++k) out[k] = from_float16(little_endian<std::uint16_t>(bytes + 2 * k));
        break;
    case NpyType::bfloat16:
        for (std::size_t k = 0; k < n; ++k) out[k] = from_bfloat16(little_endian<std::uint16_t>(bytes + 2 * k));
        break;
    case NpyType::int64:
        for (std::size_t k = 0; k < n; ++k) out[k] = double(little_endian<std::int64_t>(bytes + 8 * k));
        break;
    case NpyType::int32:
        for (std::size_t k = 0; k < n; ++k) out[k] = little_endian<std::int32_t>(bytes + 4 * k);
        break;
    }
}

// x in a message: every digit a double may need.
std::string number(double x) {
    std::ostringstream os;
    os << std::setprecision(17) << x;
    return os.str();
}

// `x` as an integer of type Int, or an Error naming the element.
template <class Int>
Int integer(double x, const Array& a, std::size_t k, const std::string& path) {
    const double limit = std::ldexp(1.0, std::numeric_limits<Int>::digits);  // 2^63 or 2^31
    if (!(x == std::trunc(x) && x >= -limit && x < limit))
        fail(path, ": element ", a.index_string(k), " is ", number(x), ", which is not an ", sizeof(Int) == 8 ? "int64" : "int32");
    return Int(x);
}

// The header text of `a` with element type `descr`: the dict, spaces and a newline, so that the elements start at a
// multiple of 64 bytes (as NumPy aligns them) after a prefix of `prefix` bytes.
std::string header_text(const char* descr, const std::vector<arma::uword>& shape, std::size_t prefix) {
    std::string dict = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': (";
    for (std::size_t i = 0; i < shape.size(); ++i)
        dict += std::to_string(shape[i]) + (shape.size() == 1 ? "," : i + 1 < shape.size() ? ", " : "");
    dict += "), }";
    const std::size_t used = prefix + dict.size() + 1;
    return dict + std::string((64 - used % 64) % 64, ' ') + '\n';
}

}  // namespace

Array read_npy(const std::string& path, const std::string& where, bool allow_non_finite, bool bfloat16) {
    const std::string what = where.empty() ? path : where + ": " + path;
    const std::uint64_t size = file_size(path, what);
    const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!file) fail(what, ": cannot be opened (", std::strerror(errno), ")");
    // the magic string, the version and the header's length
    unsigned char prefix[12] = {};
    const std::size_t got = std::fread(prefix, 1, sizeof prefix, file.get());
    if (got < 10 || std::memcmp(prefix, magic, magic_bytes) != 0)
        fail(what, ": not an NPY file (it does not start with \\x93NUMPY, as np.save writes)");
    const int major = prefix[6], minor = prefix[7];
    if (major < 1 || major > 3 || minor != 0)
        fail(what, ": NPY format version ", major, ".", minor, "; cnnbp reads versions 1.0, 2.0 and 3.0");
    const std::size_t length_bytes = major == 1 ? 2 : 4;
    std::uint64_t header_bytes = 0;
    for (std::size_t i = 0; i < length_bytes; ++i) header_bytes |= std::uint64_t(prefix[8 + i]) << (8 * i);
    const std::uint64_t data_start = 8 + length_bytes + header_bytes;
    if (header_bytes > max_header_bytes)
        fail(what, ": a header of ", header_bytes, " bytes, more than the ", max_header_bytes, " cnnbp reads");
    if (data_start > size)
        fail(what, ": truncated: its header claims ", header_bytes, " bytes, but the file has ", size, " bytes in all");
    // the header
    std::string text(header_bytes, '\0');
    if (std::fseek(file.get(), long(8 + length_bytes), SEEK_SET) != 0 ||
        std::fread(text.data(), 1, text.size(), file.get()) != text.size())
        fail(what, ": cannot be read (", std::strerror(errno), ")");
    const Header h = parse_header(text, what);
    const TypeInfo& type = element_type(h.descr, bfloat16, what);
    if (h.fortran_order)
        fail(what, ": fortran_order is True; cnnbp reads C order, row-major (save np.ascontiguousarray(a))");
    const std::uint64_t n = element_count(h.shape, what);
    std::uint64_t data_bytes = 0, needed = 0;
    if (__builtin_mul_overflow(n, type.bytes, &data_bytes) || __builtin_add_overflow(data_start, data_bytes, &needed))
        fail(what, ": its header's shape needs more than 2^64 bytes");  // only with --max-elements beyond 2^61
    if (size != needed)
        fail(what, size < needed ? ": truncated: " : ": longer than its header says: ", size, " bytes, where the header (",
             data_start, " bytes) and ", n, " elements of '", type.descr, "' (", data_bytes, " bytes) make ", needed);
    // the elements: one read, then one conversion loop
    std::vector<unsigned char> bytes(data_bytes);
    if (std::fread(bytes.data(), 1, bytes.size(), file.get()) != bytes.size())
        fail(what, ": cannot be read (", std::strerror(errno), ")");
    Array a;
    a.shape.assign(h.shape.begin(), h.shape.end());
    a.data.resize(n);
    convert(type.type, bytes.data(), a.data);
    if (!allow_non_finite)
        for (std::size_t k = 0; k < n; ++k)
            if (!std::isfinite(a.data[k]))
                fail(what, ": element ", a.index_string(k), " is ", number(a.data[k]),
                     ", not a number a case file may hold (NaN and infinities are only read in result files)");
    return a;
}

void write_npy(const std::string& path, const Array& a, NpyType type) {
    const TypeInfo& t = info(type);
    std::string header = header_text(t.descr, a.shape, 10);
    const int major = header.size() <= 0xffff ? 1 : 2;
    if (major == 2) header = header_text(t.descr, a.shape, 12);
    std::string out(magic, magic_bytes);
    out += char(major);
    out += char(0);
    if (major == 1) append_little_endian(out, std::uint16_t(header.size()));
    else append_little_endian(out, std::uint32_t(header.size()));
    out += header;
    out.reserve(out.size() + a.data.size() * t.bytes);
    const FloatFormat &float32 = float_format("float32"), &float16 = float_format("float16"),
                      &bfloat16 = float_format("bfloat16");
    for (std::size_t k = 0; k < a.data.size(); ++k) {
        const double x = a.data[k];
        switch (type) {
        case NpyType::float64: append_little_endian(out, x); break;
        case NpyType::float32: append_little_endian(out, float(round_to(x, float32))); break;  // exact: a float's value
        case NpyType::float16: append_little_endian(out, narrow_bits(x, float16)); break;
        case NpyType::bfloat16: append_little_endian(out, narrow_bits(x, bfloat16)); break;
        case NpyType::int64: append_little_endian(out, integer<std::int64_t>(x, a, k, path)); break;
        case NpyType::int32: append_little_endian(out, integer<std::int32_t>(x, a, k, path)); break;
        }
    }
    write_text_file(path, out);
}

}  // namespace cnnbp
