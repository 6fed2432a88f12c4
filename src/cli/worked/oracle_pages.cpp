// The worked results of the tolerances page and the case-format page (other_pages.hpp): the oracle's commands run on
// small cases, their reports shown as the program prints them.
#include "other_pages.hpp"

#include "../oracle_commands.hpp"

#include "cnnbp/net/tiny_cnn.hpp"
#include "cnnbp/oracle/case_file.hpp"
#include "cnnbp/oracle/evaluate.hpp"
#include "cnnbp/oracle/judge.hpp"
#include "cnnbp/oracle/network.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace cnnbp::cli::other {

using json = nlohmann::ordered_json;
using fmt::display;
using fmt::math;
using fmt::num;

namespace {

// What `cnnbp check CASE RESULT --dtype DTYPE` prints for these two documents, with the files named case.json and
// result.json: run_check() itself, on files in a fresh temporary folder, its standard output captured.
std::string check_report(const json& case_doc, const json& result, const std::string& dtype) {
    char pattern[] = "/tmp/cnnbp-worked-XXXXXX";
    if (!mkdtemp(pattern)) throw std::runtime_error("worked: cannot make a temporary folder");
    const std::filesystem::path dir = pattern;
    const std::string case_path = (dir / "case.json").string(), result_path = (dir / "result.json").string();
    write_text_file(case_path, format_json(case_doc));
    write_text_file(result_path, format_json(result));
    std::ostringstream captured;
    std::streambuf* const saved = std::cout.rdbuf(captured.rdbuf());
    int status = 0;
    try {
        status = run_check(case_path, result_path, dtype, "", false, "any", "tight");
    } catch (...) {
        std::cout.rdbuf(saved);
        std::filesystem::remove_all(dir);
        throw;
    }
    std::cout.rdbuf(saved);
    std::filesystem::remove_all(dir);
    std::string report = captured.str();
    for (std::string::size_type at; (at = report.find(dir.string() + "/")) != std::string::npos;)
        report.erase(at, dir.string().size() + 1);
    return report + "(exit status " + std::to_string(status) + ")\n";
}

// A case as a person would type it: each top-level key on a line of its own, and each key of params and inputs.
std::string typed(const json& doc) {
    std::string s = "{\n";
    std::size_t i = 0;
    for (const auto& [key, value] : doc.items()) {
        s += "  \"" + key + "\": ";
        if (value.is_object() && (key == "params" || key == "inputs")) {
            s += "{\n";
            std::size_t j = 0;
            for (const auto& [inner, v] : value.items())
                s += "    \"" + inner + "\": " + v.dump() + (++j < value.size() ? ",\n" : "\n");
            s += "  }";
        } else {
            s += value.dump();
        }
        s += ++i < doc.size() ? ",\n" : "\n";
    }
    return s + "}\n";
}

// The tolerances page's case: a linear layer whose values are not dyadic, so that a float32 computation rounds.
struct LinearCase {
    arma::mat x = {{0.1, -0.7, 1.3}, {2.9, 0.3, -1.1}}, w = {{0.6, -0.2, 0.9}, {-1.7, 0.4, 0.35}};
    arma::vec b = {0.05, -0.45};
    arma::mat dout = {{1.1, -0.3}, {0.7, 2.3}};
    json doc() const {
        return {{"format", "cnnbp-case/1"}, {"op", "linear"},
                {"inputs", {{"x", array_to_json(to_array(x))}, {"w", array_to_json(to_array(w))},
                            {"b", array_to_json(to_array(b))}}},
                {"dout", array_to_json(to_array(dout))}};
    }
};

// A textbook float32 linear layer: the inputs read as float, every product and sum in float, (L1)-(L4).
json float32_linear(const LinearCase& k) {
    const arma::fmat x = arma::conv_to<arma::fmat>::from(k.x), w = arma::conv_to<arma::fmat>::from(k.w);
    const arma::fmat d = arma::conv_to<arma::fmat>::from(k.dout);
    const arma::fvec b = arma::conv_to<arma::fvec>::from(k.b);
    arma::fmat out(x.n_rows, w.n_rows), dx(arma::size(x), arma::fill::zeros), dw(arma::size(w), arma::fill::zeros);
    arma::fvec db(w.n_rows, arma::fill::zeros);
    for (arma::uword n = 0; n < x.n_rows; ++n)
        for (arma::uword m = 0; m < w.n_rows; ++m) {
            float s = b(m);
            for (arma::uword e = 0; e < x.n_cols; ++e) {
                s += w(m, e) * x(n, e);
                dx(n, e) += d(n, m) * w(m, e);
                dw(m, e) += d(n, m) * x(n, e);
            }
            out(n, m) = s;
            db(m) += d(n, m);
        }
    const auto as = [](const auto& f) { return array_to_json(to_array(arma::conv_to<arma::mat>::from(f))); };
    return {{"out", as(out)}, {"dx", as(dx)}, {"dw", as(dw)}, {"db", array_to_json(to_array(arma::conv_to<arma::vec>::from(db)))}};
}

}  // namespace

std::string tolerances_results() {
    const LinearCase k;
    const json doc = k.doc(), result = float32_linear(k);
    const Evaluation e = evaluate_case(doc, "case.json");
    const Precision p = precision("float32");
    const Verdict v = check_result(e, result, "result.json", p, TiePolicy::any);
    const TensorVerdict& out = v.tensors.at(0);
    unsigned n_index = 0, m_index = 0;
    if (out.key != "out" || std::sscanf(out.worst_index.c_str(), "(%u,%u)", &n_index, &m_index) != 2)
        throw std::runtime_error("worked tolerances-results: unexpected verdict " + out.key + " " + out.worst_index);

    // (E2), (E3) from the page, for that element: n = D + 1 terms, M = |x| |W|^T + |b|.
    const double D = double(k.x.n_cols), n = D + 1, u = p.u, gamma = n * u / (1 - n * u);
    double M = std::abs(k.b(m_index));
    for (arma::uword d = 0; d < k.x.n_cols; ++d) M += std::abs(k.x(n_index, d) * k.w(m_index, d));
    const double y = out.expected, bound = 2 * (gamma * M + u * std::abs(y) + p.tiny);

    std::string s = "A linear case whose values are not dyadic, evaluated by the oracle, and the answer of a textbook "
                    "float32 implementation (every input read as float, every product and sum in float), judged by "
                    "`cnnbp check case.json result.json --dtype float32`:\n\n";
    s += fmt::code(check_report(doc, result, "float32"));
    const std::string at = "[" + std::to_string(n_index) + "," + std::to_string(m_index) + "]";
    s += "The bound of the worst element of " + math("\\out") + ", " + math("\\out" + at) + ", by \\ref eq_E2 \"(E2)\" "
         "and \\ref eq_E3 \"(E3)\", a sum of " + math("D = " + num(D)) + " products and the bias:\n";
    s += fmt::table({"quantity", "value"},
                     {{math("n = D + 1"), num(n)},
                      {math("u = 2^{-24}"), sig_math(u, 8)},
                      {math("\\gamma_n = n u / (1 - n u)"), sig_math(gamma, 8)},
                      {math("M = \\lvert b_m \\rvert + \\sum_d \\lvert x_{nd} W_{md} \\rvert"), sig_math(M, 8)},
                      {math("y") + ", the oracle's value", sig_math(y, 17)},
                      {math("r") + ", the float32 answer", sig_math(out.value, 17)},
                      {math("\\lvert r - y \\rvert"), sig_math(out.difference, 6)},
                      {math("2 (\\gamma_n M + u \\lvert y \\rvert + \\lambda)") + ", " + math("\\lambda = 2^{-126}"), sig_math(bound, 8)},
                      {"the bound `check` used", sig_math(out.bound, 8)},
                      {"their difference", fmt::sci(std::abs(bound - out.bound))}});
    s += "The float32 answer is off by " + sig(out.difference / bound, 2) + " of its bound.\n";
    return s;
}

std::string case_format_example() {
    const json doc = {{"format", "cnnbp-case/1"}, {"op", "conv2d"},
                      {"params", {{"stride", 2}, {"padding", {{"top", 1}, {"bottom", 0}, {"left", 0}, {"right", 1}}}}},
                      {"inputs", {{"x", {{{{1, 2, 0, 1}, {0, 1, 3, 1}, {2, 1, 1, 0}, {1, 0, 2, 3}}}}},
                                  {"w", {{{{0.5, -1}, {1, 0.25}}}}}, {"b", {-0.5}}}},
                      {"dout", {{{{1, -1}, {0.5, 2}}}}}};
    json filled = doc;
    const Evaluation e = evaluate_case(doc, "case.json");
    filled["expected"] = expected_json(e);
    json result = {{"out", filled["expected"]["out"]}};
    const double right = result["out"][0][0][0][0].get<double>(), wrong = right - 2;
    result["out"][0][0][0][0] = wrong;

    std::string s = "    cat > case.json <<'JSON'\n";
    std::istringstream lines(typed(doc));
    for (std::string line; std::getline(lines, line);) s += "    " + line + "\n";
    s += "    JSON\n    build/cnnbp eval case.json -o expected.json\n";
    s += "    echo '" + result.dump() + "' > result.json\n";
    s += "    build/cnnbp check case.json result.json --dtype float32\n\n";
    s += "`eval` writes the case back with `expected` filled in by the oracle; in expected.json, after the case's "
         "own keys:\n\n";
    s += fmt::code("\"expected\": " + format_json(filled["expected"]));
    s += "The result above is wrong on purpose in its first element (" + num(wrong) + ", where the oracle says " +
         num(right) + "); `check` names that element, its value, the expected value and the bound it exceeded, and "
         "says that the other outputs were not provided:\n\n";
    s += fmt::code(check_report(doc, result, "float32"));
    return s;
}

std::string case_format_network() {
    std::string s = "A network case, the tiny CNN with its ReLU (cnnbp::tiny_cnn_example(), see "
                    "\\ref tiny_cnn \"The tiny CNN, worked through by hand\"), as cnnbp writes it:\n\n";
    s += fmt::code(format_json(write_network(tiny_cnn_example(true), "the tiny CNN with its ReLU")));
    return s;
}

}  // namespace cnnbp::cli::other
