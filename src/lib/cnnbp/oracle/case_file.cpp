#include "cnnbp/oracle/case_file.hpp"

#include "cnnbp/core/error.hpp"
#include "cnnbp/core/limits.hpp"
#include "cnnbp/oracle/npy.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <unistd.h>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <vector>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>
#include <string_view>

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
        // the names first, so that "-Infinity" is read as a name and not as the number "-" before one
        std::string_view name;
        for (const std::string_view t : {"-Infinity", "Infinity", "NaN"})
            if (ch == t[0] && text.compare(i, t.size(), t) == 0) name = t;  // at most one comparison per character
        if (!name.empty()) {
            if (!allow) {
                const auto [line, column] = line_column(text, i);
                fail(file, ": line ", line, ", column ", column, ": ", name,
                     " is not a number a case file may hold (NaN and infinities are only read in result files)");
            }
            out.append("\"").append(name).append("\"");
            i += name.size() - 1;
            continue;
        }
        if ((ch == '-' || (ch >= '0' && ch <= '9')) && (i == 0 || !std::isalnum(static_cast<unsigned char>(text[i - 1])))) {
            // a number: one outside the range of double (1e400) is an invalid case, and a wrong answer in a result
            std::size_t end = i + 1;
            while (end < text.size() && (std::isdigit(static_cast<unsigned char>(text[end])) || text[end] == '.' ||
                                         text[end] == 'e' || text[end] == 'E' || text[end] == '+' || text[end] == '-'))
                ++end;
            const std::string token = text.substr(i, end - i);
            const double value = std::strtod(token.c_str(), nullptr);
            if (std::isinf(value)) {
                if (!allow) {
                    const auto [line, column] = line_column(text, i);
                    fail(file, ": line ", line, ", column ", column, ": ", token.substr(0, 40),
                         " is outside the range of a double (magnitude above 1.8e308)");
                }
                out += value > 0 ? "\"Infinity\"" : "\"-Infinity\"";  // judged as the infinity it rounds to
            } else {
                out += token;
            }
            i = end - 1;
            continue;
        }
        out += ch;
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

// Calls f(tensor, dotted key, key as messages write it) for every tensor under j, such as
// ("inputs.layer_params.0.w", "inputs.layer_params[0].w"): a number, nested arrays or a reference. Other objects and
// lists of objects (layer_params, layer_grads) are walked into; the nested arrays of a tensor are not.
template <class F>
void each_tensor(nlohmann::ordered_json& j, const std::string& dotted, const std::string& shown, const F& f) {
    auto key = [](const std::string& path, const std::string& k) { return path.empty() ? k : path + "." + k; };
    const bool objects = j.is_array() && !j.empty() &&
                         std::all_of(j.begin(), j.end(), [](const auto& e) { return e.is_object() && !is_npy_reference(e); });
    if (j.is_object() && !is_npy_reference(j)) {
        for (auto it = j.begin(); it != j.end(); ++it) each_tensor(it.value(), key(dotted, it.key()), key(shown, it.key()), f);
    } else if (objects) {
        for (std::size_t i = 0; i < j.size(); ++i)
            each_tensor(j[i], key(dotted, std::to_string(i)), shown + "[" + std::to_string(i) + "]", f);
    } else {
        f(j, dotted, shown);
    }
}

// The tensor that a reference, {"npy": PATH} or {"npy": PATH, "dtype": "bfloat16"}, names.
Array array_from_reference(const nlohmann::ordered_json& j, const std::string& where, bool allow) {
    for (auto it = j.begin(); it != j.end(); ++it)
        if (it.key() != "npy" && it.key() != "dtype")
            fail(where, ": \"", it.key(), "\" is not a key of a tensor reference (npy, dtype)");
    const auto& path = j.at("npy");
    if (!path.is_string() || path.get_ref<const std::string&>().empty())
        fail(where, ".npy must be the path of a .npy file, got ", path.dump());
    const bool bfloat16 = j.contains("dtype");
    if (bfloat16 && j.at("dtype") != "bfloat16")
        fail(where, ".dtype must be \"bfloat16\", the one type an NPY file cannot name itself; got ", j.at("dtype").dump());
    return read_npy(path.get<std::string>(), where, allow, bfloat16);
}

nlohmann::ordered_json nested(const Array& a, std::size_t depth, arma::uword& k) {
    if (depth == a.shape.size()) return a.data[k++];
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (arma::uword i = 0; i < a.shape[depth]; ++i) list.push_back(nested(a, depth + 1, k));
    return list;
}

}  // namespace

nlohmann::ordered_json parse_json(const std::string& text, const std::string& file, bool allow_non_finite) {
    if (text.size() > limits().file_bytes)
        fail(file, ": ", text.size(), " bytes, more than the ", limits().file_bytes, " a case or result may have (--max-file-bytes)");
    // The parser builds the document without recursion; this callback bounds its nesting, so that no later step
    // (copies, tensors, printing) recurses deeper, and refuses a key given twice in one object.
    std::vector<std::set<std::string>> keys;  // the keys seen in each open object
    auto guard = [&](int depth, nlohmann::ordered_json::parse_event_t event, nlohmann::ordered_json& parsed) {
        using event_t = nlohmann::ordered_json::parse_event_t;
        if (depth > int(limits().nesting))
            fail(file, ": nested deeper than ", limits().nesting, " levels; a case is a few levels of objects around tensors of rank at most 8");
        if (event == event_t::object_start) keys.emplace_back();
        else if (event == event_t::object_end && !keys.empty()) keys.pop_back();
        else if (event == event_t::key && !keys.empty() && !keys.back().insert(parsed.get<std::string>()).second)
            fail(file, ": the key \"", parsed.get<std::string>(), "\" appears twice in one object; which one is meant?");
        return true;
    };
    // Strict JSON first: nearly every file is, and then no pass over its bytes comes before the parser's own. Only a
    // file the strict parser refuses (NaN, Infinity, a number beyond a double, or an error to report) is read again
    // with those tokens quoted, which either parses or fails with the line and column of the problem.
    try {
        return nlohmann::ordered_json::parse(text, guard);
    } catch (const nlohmann::ordered_json::exception&) {
        keys.clear();
    }
    const std::string quoted = quote_non_finite(text, file, allow_non_finite);
    try {
        return nlohmann::ordered_json::parse(quoted, guard);
    } catch (const nlohmann::ordered_json::parse_error& e) {
        // Quoting adds no newlines, so the line is exact; a column after a quoted token on the same line is off by
        // two per token, which only a result file with NaN and a syntax error on one line can show.
        const std::size_t pos = e.byte > 0 ? e.byte - 1 : 0;
        const auto [line, column] = line_column(quoted, pos);
        std::string what = e.what();
        const auto colon = what.rfind(": ");
        fail(file, ": line ", line, ", column ", column, ": not valid JSON (",
             colon == std::string::npos ? what : what.substr(colon + 2), ")");
    } catch (const nlohmann::ordered_json::exception& e) {
        fail(file, ": not valid JSON (", e.what(), ")");
    }
}

nlohmann::ordered_json read_json_file(const std::string& path, bool allow_non_finite) {
    const std::string name = path == "-" ? "standard input" : path;
    std::ifstream file;
    if (path != "-") {
        std::error_code ec;
        if (std::filesystem::is_directory(path, ec)) fail(path, ": is a folder, not a file");
        file.open(path, std::ios::binary);
        if (!file) fail(path, ": cannot be opened");
    }
    std::istream& in = path == "-" ? std::cin : file;
    // read at most the limit and one byte more, so that /dev/zero or a huge file is refused without reading it all
    std::string text;
    std::vector<char> chunk(1 << 16);
    while (in && text.size() <= limits().file_bytes) {
        in.read(chunk.data(), std::streamsize(chunk.size()));
        text.append(chunk.data(), std::size_t(in.gcount()));
    }
    nlohmann::ordered_json doc = parse_json(text, name, allow_non_finite);
    if (path == "-") return doc;
    // a reference's relative path is relative to this file's folder
    const std::filesystem::path folder = std::filesystem::path(path).parent_path();
    each_tensor(doc, "", "", [&](nlohmann::ordered_json& t, const std::string&, const std::string&) {
        if (!is_npy_reference(t) || !t["npy"].is_string()) return;  // array_from_json says what is wrong with it
        const std::filesystem::path reference = t["npy"].get<std::string>();
        if (reference.is_relative() && !reference.empty()) t["npy"] = (folder / reference).string();
    });
    return doc;
}

void write_text_file(const std::string& path, const std::string& text) {
    if (path.empty() || path == "-") {
        std::cout << text << std::flush;
        if (!std::cout) fail("standard output: cannot be written");
        return;
    }
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (fs::is_directory(status)) fail(path, ": is a folder, not a file");
    auto write = [&](const std::string& to) {
        std::ofstream out(to, std::ios::binary | std::ios::trunc);
        if (!out) fail(path, ": cannot be written (", std::strerror(errno), ")");
        out << text;
        out.flush();
        if (!out) fail(path, ": cannot be written (", std::strerror(errno), ")");
    };
    if (fs::exists(status) && !fs::is_regular_file(status)) {  // a device such as /dev/null or /dev/full
        write(path);
        return;
    }
    const std::string temporary = path + ".tmp-" + std::to_string(::getpid());
    try {
        write(temporary);
    } catch (const Error&) {
        fs::remove(temporary, ec);
        throw;
    }
    fs::rename(temporary, path, ec);
    if (ec) {
        fs::remove(temporary, ec);
        fail(path, ": cannot be written (", ec.message(), ")");
    }
}

Array array_from_json(const nlohmann::ordered_json& j, const std::string& where, bool allow_non_finite) {
    if (is_npy_reference(j)) return array_from_reference(j, where, allow_non_finite);
    if (j.is_object())
        fail(where, ": an object where a tensor is due; a tensor is nested lists of numbers, a number, or a reference "
                    "{\"npy\": \"file.npy\"}");
    Array a;
    collect(j, 0, a, where, allow_non_finite);
    if (a.data.size() != a.size()) fail(where, ": ragged nesting");
    return a;
}

nlohmann::ordered_json array_to_json(const Array& a) {
    arma::uword k = 0;
    return nested(a, 0, k);
}

bool is_npy_reference(const nlohmann::ordered_json& j) { return j.is_object() && j.contains("npy"); }

void inline_npy(nlohmann::ordered_json& doc, const std::string& file, bool allow_non_finite) {
    each_tensor(doc, "", "", [&](nlohmann::ordered_json& t, const std::string&, const std::string& shown) {
        if (is_npy_reference(t)) t = array_to_json(array_from_json(t, file + ": " + shown, allow_non_finite));
    });
}

void rebase_npy(nlohmann::ordered_json& doc, const std::string& json_path) {
    namespace fs = std::filesystem;
    if (json_path.empty() || json_path == "-") return;
    const fs::path to = fs::path(json_path).parent_path().empty() ? "." : fs::path(json_path).parent_path();
    each_tensor(doc, "", "", [&](nlohmann::ordered_json& t, const std::string&, const std::string&) {
        if (!is_npy_reference(t) || !t["npy"].is_string()) return;
        const fs::path path = t["npy"].get<std::string>();
        if (path.empty() || path.is_absolute()) return;
        // the folders are compared as the system finds them (symbolic links followed), the file keeps its name
        std::error_code ec;
        const fs::path folder = fs::relative(path.parent_path().empty() ? "." : path.parent_path(), to, ec);
        t["npy"] = (ec || folder.empty() ? fs::absolute(path) : (folder / path.filename()).lexically_normal()).string();
    });
}

void write_npy_tensors(nlohmann::ordered_json& doc, const std::string& json_path) {
    namespace fs = std::filesystem;
    if (json_path.empty() || json_path == "-")
        fail("--npy needs an output file (-o OUT.json): the .npy files are written beside it and named after it");
    fs::path base = json_path;
    if (base.extension() == ".json") base.replace_extension();
    for (const char* root : {"inputs", "dout", "expected"}) {
        if (!doc.contains(root)) continue;
        each_tensor(doc[root], root, root, [&](nlohmann::ordered_json& t, const std::string& dotted, const std::string& shown) {
            if (dotted.find('/') != std::string::npos) fail(json_path, ": ", shown, ": a key with '/' cannot name a file");
            const Array a = array_from_json(t, json_path + ": " + shown, true);
            const std::string name = base.filename().string() + "." + dotted + ".npy";
            write_npy((base.parent_path() / name).string(), a, dotted == "inputs.labels" ? NpyType::int64 : NpyType::float64);
            t = nlohmann::ordered_json{{"npy", name}};
        });
    }
}

namespace {

using json = nlohmann::ordered_json;

void format_into(const json& j, int indent, std::string& out) {
    const std::string pad(indent, ' ');
    if (is_npy_reference(j)) {  // on one line, as a tensor's row is: {"npy": "x.npy"}
        std::string sep;
        out += "{";
        for (const auto& [key, value] : j.items()) out += sep + json(key).dump() + ": " + value.dump(), sep = ", ";
        out += "}";
    } else if (j.is_object()) {
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
