#include "cnnbp/oracle/case_file.hpp"

#include "cnnbp/core/error.hpp"

#include <cmath>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>

namespace cnnbp {

namespace {

// Line and column (both from 1) of byte offset `pos` in `text`.
std::pair<std::size_t, std::size_t> line_column(const std::string& text, std::size_t pos) {
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < pos && i < text.size(); ++i) {
        if (text[i] == '\n') ++line, column = 1;
        else ++column;
    }
    return {line, column};
}

// The tokens Python's json module writes for non-finite numbers; they become the strings "NaN", "Infinity" and
// "-Infinity", which array_from_json turns back into numbers when they are allowed.
std::string quote_non_finite(const std::string& text, const std::string& file, bool allow) {
    std::string out;
    out.reserve(text.size());
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char ch = text[i];
        if (in_string) {
            out += ch;
            if (ch == '\\' && i + 1 < text.size()) out += text[++i];
            else if (ch == '"') in_string = false;
            continue;
        }
        if (ch == '"') {
            in_string = true;
            out += ch;
            continue;
        }
        for (const char* token : {"-Infinity", "Infinity", "NaN"}) {
            const std::string t = token;
            if (text.compare(i, t.size(), t) == 0) {
                if (!allow) {
                    const auto [line, column] = line_column(text, i);
                    fail(file, ": line ", line, ", column ", column, ": ", t,
                         " is not a number a case file may hold (NaN and infinities are only read in result files)");
                }
                out += '"' + t + '"';
                i += t.size() - 1;
                goto next;
            }
        }
        out += ch;
    next:;
    }
    return out;
}

void collect(const nlohmann::ordered_json& j, std::size_t depth, Array& a, const std::string& where, bool allow) {
    if (j.is_array()) {
        if (j.empty()) fail(where, ": an empty list; every dimension must have at least one element");
        if (depth == a.shape.size()) {
            if (!a.data.empty()) fail(where, ": a list where the other elements at this depth are numbers");
            a.shape.push_back(j.size());
        } else if (depth > a.shape.size() || a.shape[depth] != j.size()) {
            fail(where, ": ragged nesting; a list at depth ", depth, " has ", j.size(), " elements where another has ",
                 depth < a.shape.size() ? a.shape[depth] : 0);
        }
        for (const auto& e : j) collect(e, depth + 1, a, where, allow);
        return;
    }
    if (depth != a.shape.size()) fail(where, ": a number at depth ", depth, " where the tensor has rank ", a.shape.size());
    double value;
    if (j.is_number()) value = j.get<double>();
    else if (j.is_string() && allow && (j == "NaN" || j == "Infinity" || j == "-Infinity"))
        value = j == "NaN" ? std::numeric_limits<double>::quiet_NaN()
                           : (j == "Infinity" ? 1.0 : -1.0) * std::numeric_limits<double>::infinity();
    else fail(where, ": ", j.dump(), " is not a number");
    if (!allow && !std::isfinite(value)) fail(where, ": ", value, " is not finite");
    a.data.push_back(value);
}

nlohmann::ordered_json nested(const Array& a, std::size_t depth, arma::uword& k) {
    if (depth == a.shape.size()) return a.data[k++];
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (arma::uword i = 0; i < a.shape[depth]; ++i) list.push_back(nested(a, depth + 1, k));
    return list;
}

}  // namespace

nlohmann::ordered_json parse_json(const std::string& text, const std::string& file, bool allow_non_finite) {
    const std::string quoted = quote_non_finite(text, file, allow_non_finite);
    try {
        return nlohmann::ordered_json::parse(quoted);
    } catch (const nlohmann::ordered_json::parse_error& e) {
        // Quoting adds no newlines, so the line is exact; a column after a quoted token on the same line is off by
        // two per token, which only a result file with NaN and a syntax error on one line can show.
        const std::size_t pos = e.byte > 0 ? e.byte - 1 : 0;
        const auto [line, column] = line_column(quoted, pos);
        std::string what = e.what();
        const auto colon = what.rfind(": ");
        fail(file, ": line ", line, ", column ", column, ": not valid JSON (",
             colon == std::string::npos ? what : what.substr(colon + 2), ")");
    }
}

nlohmann::ordered_json read_json_file(const std::string& path, bool allow_non_finite) {
    std::ostringstream text;
    if (path == "-") {
        text << std::cin.rdbuf();
    } else {
        std::ifstream in(path);
        if (!in) fail(path, ": cannot be opened");
        text << in.rdbuf();
    }
    return parse_json(text.str(), path == "-" ? "standard input" : path, allow_non_finite);
}

Array array_from_json(const nlohmann::ordered_json& j, const std::string& where, bool allow_non_finite) {
    Array a;
    collect(j, 0, a, where, allow_non_finite);
    if (a.data.size() != a.size()) fail(where, ": ragged nesting");
    return a;
}

nlohmann::ordered_json array_to_json(const Array& a) {
    arma::uword k = 0;
    return nested(a, 0, k);
}

namespace {

using json = nlohmann::ordered_json;

void format_into(const json& j, int indent, std::string& out) {
    const std::string pad(indent, ' ');
    if (j.is_object()) {
        if (j.empty()) {
            out += "{}";
            return;
        }
        out += "{\n";
        bool first = true;
        for (const auto& [key, value] : j.items()) {
            if (!first) out += ",\n";
            first = false;
            out += pad + "  " + json(key).dump() + ": ";
            format_into(value, indent + 2, out);
        }
        out += "\n" + pad + "}";
    } else if (j.is_array() && !j.empty() && j[0].is_array()) {
        out += "[\n";
        for (std::size_t i = 0; i < j.size(); ++i) {
            out += pad + "  ";
            format_into(j[i], indent + 2, out);
            if (i + 1 < j.size()) out += ",";
            out += "\n";
        }
        out += pad + "]";
    } else {
        out += j.dump();  // a number, a string, or an innermost row on one line
    }
}
}  // namespace

std::string format_json(const nlohmann::ordered_json& doc) {
    std::string out;
    format_into(doc, 0, out);
    return out + "\n";
}

}  // namespace cnnbp
