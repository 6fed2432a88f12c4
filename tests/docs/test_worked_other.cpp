// The worked results of the pages other than the convolution's (src/cli/worked/other_pages.hpp), run through the
// program: every fragment exists and is pulled in by its page, its numbers agree with a computation written here
// from the page's formulas (reading the example's inputs back from the fragment itself), and the code a page shows
// runs as the page says.
#include "support/cli.hpp"

#include "cnnbp/core/gradcheck.hpp"
#include "cnnbp/core/limits.hpp"
#include "cnnbp/net/tiny_cnn.hpp"
#include "cnnbp/oracle/evaluate.hpp"
#include "cnnbp/oracle/judge.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <armadillo>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace cnnbp::testing;

namespace {

const std::vector<std::string> fragments = {
    "notation-results", "gradcheck-results", "pooling-example", "pooling-results", "linear-example",
    "linear-results", "activation-results", "loss-results", "backprop-mlp", "backprop-sequential",
    "tiny_cnn-numbers", "tolerances-results", "case_format-example", "case_format-network"};

std::string worked(const std::string& name) {
    const Run r = run("worked " + name, "2>/dev/null");
    REQUIRE(r.status == 0);
    return r.output;
}

std::string read(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// The shortest decimal that reads back as v, -0 as 0: how the fragments print dyadic numbers.
std::string num(double v) {
    if (v == 0) return "0";
    char buf[32];
    return std::string(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

std::string pmatrix(const arma::mat& m) {
    std::string s = "\\begin{pmatrix} ";
    for (arma::uword i = 0; i < m.n_rows; ++i) {
        for (arma::uword j = 0; j < m.n_cols; ++j) s += (j ? " & " : "") + num(m(i, j));
        s += i + 1 < m.n_rows ? " \\\\ " : " ";
    }
    return s + "\\end{pmatrix}";
}

// The matrix a fragment shows after "NAME = " (the first one), read back from its TeX.
arma::mat matrix_after(const std::string& text, const std::string& name) {
    const std::string start = name + " = \\begin{pmatrix} ";
    const auto at = text.find(start);
    REQUIRE(at != std::string::npos);
    const auto begin = at + start.size(), end = text.find("\\end{pmatrix}", begin);
    std::vector<std::vector<double>> rows;
    std::istringstream body(text.substr(begin, end - begin));
    for (std::string row; std::getline(body, row, '\\');) {
        if (row.find_first_not_of(" ") == std::string::npos) continue;
        rows.emplace_back();
        std::istringstream cells(row);
        for (std::string cell; std::getline(cells, cell, '&');) rows.back().push_back(std::stod(cell));
    }
    arma::mat m(rows.size(), rows.at(0).size());
    for (arma::uword i = 0; i < m.n_rows; ++i)
        for (arma::uword j = 0; j < m.n_cols; ++j) m(i, j) = rows[i].at(j);
    return m;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The lines of the first block indented by four spaces after `marker`, without the indentation.
std::string indented_block_after(const std::string& text, const std::string& marker) {
    std::istringstream in(text.substr(text.find(marker)));
    std::string block, line;
    bool inside = false;
    while (std::getline(in, line)) {
        const bool indented = line.rfind("    ", 0) == 0;
        if (indented) block += line.substr(4) + "\n";
        else if (inside && !line.empty()) break;
        inside = inside || indented;
    }
    return block;
}

// The text between two lines of a fragment (exclusive).
std::string between(const std::string& text, const std::string& from, const std::string& to) {
    const auto begin = text.find(from);
    REQUIRE(begin != std::string::npos);
    const auto start = begin + from.size();
    return text.substr(start, text.find(to, start) - start);
}

}  // namespace

TEST_CASE("worked: every fragment of the other pages is listed, writes Markdown and is pulled in by a page", "[docs]") {
    const Run list = run("worked --list");
    REQUIRE(list.status == 0);
    std::string pages;
    for (const char* page : {"derivations/01-notation.md", "derivations/08-gradcheck.md", "derivations/09-pooling.md",
                             "derivations/10-linear.md", "derivations/11-activation.md", "derivations/12-loss.md",
                             "derivations/13-backprop.md", "derivations/14-tiny_cnn.md", "derivations/15-tolerances.md",
                             "docs/case_format.md"})
        pages += read(std::string(CNNBP_SOURCE_DIR) + "/" + page);
    for (const std::string& name : fragments) {
        INFO(name);
        CHECK(says(list, name + "  "));
        const std::string text = worked(name);
        CHECK(text.size() > 200);
        CHECK_FALSE(has(text, "nan"));
        CHECK_FALSE(has(text, "inf "));
        CHECK(has(pages, "\n@worked " + name + "\n"));
    }
}

TEST_CASE("worked: the pooling example's max pool and its dx agree with (X1)-(X3) computed here", "[docs]") {
    const std::string text = worked("pooling-example");
    const arma::mat x = matrix_after(text, "x"), dout = matrix_after(text, "\\dout");
    arma::mat out(x.n_rows - 1, x.n_cols - 1), dx(arma::size(x), arma::fill::zeros), avg_dx = dx;
    for (arma::uword i = 0; i < out.n_rows; ++i)
        for (arma::uword j = 0; j < out.n_cols; ++j) {
            arma::uword h = i, w = j;  // (X2): the first maximum in row-major window order
            for (arma::uword u = 0; u < 2; ++u)
                for (arma::uword v = 0; v < 2; ++v)
                    if (x(i + u, j + v) > x(h, w)) h = i + u, w = j + v;
            out(i, j) = x(h, w);
            dx(h, w) += dout(i, j);                                             // (X3)
            avg_dx.submat(i, j, i + 1, j + 1) += dout(i, j) / 4;                // (A3)
        }
    CHECK(has(text, "\\out = " + pmatrix(out)));
    CHECK(has(text, " = " + pmatrix(dx) + "\n"));
    CHECK(has(text, "\\dx = " + pmatrix(avg_dx)));
}

TEST_CASE("worked: the linear example agrees with the index sums of (L1)-(L4) computed here", "[docs]") {
    const std::string text = worked("linear-example");
    const arma::mat x = matrix_after(text, "x"), w = matrix_after(text, "W"), dout = matrix_after(text, "\\dout");
    const arma::vec b = arma::vectorise(matrix_after(text, "b"));
    arma::mat out(x.n_rows, w.n_rows), dx(arma::size(x), arma::fill::zeros), dw(arma::size(w), arma::fill::zeros);
    arma::mat db(1, w.n_rows, arma::fill::zeros);
    for (arma::uword n = 0; n < x.n_rows; ++n)
        for (arma::uword m = 0; m < w.n_rows; ++m) {
            out(n, m) = b(m);
            db(0, m) += dout(n, m);
            for (arma::uword d = 0; d < x.n_cols; ++d) {
                out(n, m) += w(m, d) * x(n, d);
                dx(n, d) += dout(n, m) * w(m, d);
                dw(m, d) += dout(n, m) * x(n, d);
            }
        }
    CHECK(has(text, "= " + pmatrix(out)));
    CHECK(has(text, "\\dx = \\dout\\, W = " + pmatrix(dx)));
    CHECK(has(text, "\\dw = \\dout^T x = " + pmatrix(dw)));
    CHECK(has(text, "\\db = \\dout^T \\mathbf{1} = " + pmatrix(db)));
}

TEST_CASE("worked: the quadratic cost of the loss page agrees with (Q1) and (Q2) computed here", "[docs]") {
    const std::string text = worked("loss-results");
    const arma::mat a = matrix_after(text, "a"), y = matrix_after(text, "y");
    const double N = double(a.n_rows), C = arma::accu(arma::square(a - y)) / (2 * N);
    CHECK(has(text, "= " + num(C) + "\n"));
    CHECK(has(text, "\\frac{a - y}{N} = " + pmatrix((a - y) / N)));
}

TEST_CASE("worked: the backprop_mlp trace agrees with the five steps (B2)-(B5) computed here", "[docs]") {
    const std::string text = worked("backprop-mlp");
    const arma::mat x = matrix_after(text, "x"), y = matrix_after(text, "y");
    const arma::mat W1 = matrix_after(text, "W^{1}"), W2 = matrix_after(text, "W^{2}");
    const arma::mat b1 = matrix_after(text, "b^{1}"), b2 = matrix_after(text, "b^{2}");
    const double N = double(x.n_cols);
    const arma::mat z1 = W1 * x + arma::repmat(b1, 1, x.n_cols), a1 = arma::clamp(z1, 0.0, arma::datum::inf);  // relu
    const arma::mat z2 = W2 * a1 + arma::repmat(b2, 1, x.n_cols);                                            // identity
    const arma::mat delta2 = (z2 - y) / N;                                                   // (B3)
    const arma::umat positive = z1 > 0;
    const arma::mat delta1 = (W2.t() * delta2) % arma::conv_to<arma::mat>::from(positive);   // (B4), relu'(0) = 0
    CHECK(has(text, "\\delta^{2} = " + pmatrix(delta2)));
    CHECK(has(text, "\\delta^1 = " + pmatrix(delta1)));
    CHECK(has(text, "(a^{0})^T = " + pmatrix(delta1 * x.t())));                               // (B5)
    CHECK(has(text, "(a^{1})^T = " + pmatrix(delta2 * a1.t())));
    CHECK(has(text, "C = " + num(arma::accu(arma::square(z2 - y)) / (2 * N))));
}

TEST_CASE("worked: the tiny CNN's numbers agree with (T1)-(T4) computed here", "[docs]") {
    const std::string text = worked("tiny_cnn-numbers");
    const cnnbp::NetworkCase net = cnnbp::tiny_cnn_example(false);
    const arma::mat x = std::get<cnnbp::Tensor4>(net.x).plane(0, 0);
    const arma::mat w = std::get<cnnbp::Tensor4>(*net.params[0].w).plane(0, 0);
    const double b = (*net.params[0].b)(0), v = std::get<arma::mat>(*net.params.back().w)(0, 0);
    const double c = (*net.params.back().b)(0), t = std::get<cnnbp::MseLoss>(net.loss).y(0, 0);
    arma::mat z(2, 2);
    for (arma::uword i = 0; i < 2; ++i)
        for (arma::uword j = 0; j < 2; ++j) z(i, j) = arma::accu(w % x.submat(2 * i, 2 * j, 2 * i + 1, 2 * j + 1)) + b;
    const arma::uword k = z.index_max();  // no tie in this example
    const double p = z(k), r = v * p + c, E = (t - r) * (t - r) / 2, dp = (r - t) * v;
    const arma::uword i = k % 2, j = k / 2;
    CHECK(has(text, "z = " + pmatrix(z)));
    CHECK(has(text, "= " + num(E) + "\n"));
    CHECK(has(text, "= " + num(dp) + "\n"));
    CHECK(has(text, " = " + pmatrix(dp * x.submat(2 * i, 2 * j, 2 * i + 1, 2 * j + 1)) + ", \\quad \\frac{\\partial E}{\\partial b} = " + num(dp)));
}

TEST_CASE("worked: the activation table's sigmoid and tanh values are the functions' and relu's kink is 0", "[docs]") {
    const std::string text = worked("activation-results");
    char row[160];
    for (double z : {-2.0, 0.5}) {
        const double s = 1 / (1 + std::exp(-z)), th = std::tanh(z);
        std::snprintf(row, sizeof row, "| %g | %.6g | %.6g |", z, s, s * (1 - s));
        CHECK(has(text, row));
        std::snprintf(row, sizeof row, "| %g | %.6g | %.6g |", z, th, 1 - th * th);
        CHECK(has(text, row));
    }
    CHECK(has(text, "| 0 | 0 | 0 | 0.5 |"));  // relu(0) = 0, relu'(0) = 0 by (R2), the central difference 1/2
}

TEST_CASE("worked: the tolerances page's bound by (E3) is the bound check printed", "[docs]") {
    const std::string text = worked("tolerances-results");
    auto cell = [&](const std::string& row) {  // the value cell of a table row, TeX read back to a double
        std::string v = between(text, row, "\n");
        v = v.substr(v.find("| ") + 2);
        v.erase(std::remove(v.begin(), v.end(), '$'), v.end());
        const auto f = v.find("\\f");
        if (f != std::string::npos) v.erase(f, 2);
        const auto dot = v.find(" \\cdot 10^{");
        return dot == std::string::npos ? std::stod(v) : std::stod(v.substr(0, dot)) * std::pow(10.0, std::stod(v.substr(dot + 11)));
    };
    const double formula = cell("\\lambda = 2^{-126}\\f$ "), used = cell("the bound `check` used ");
    CHECK(formula == used);
    CHECK(has(text, "| their difference | 0 |"));
    const std::string line = between(text, "\n  out  pass", "\n");
    const double printed = std::stod(line.substr(line.find("bound ") + 6));
    CHECK(std::abs(printed - formula) <= 0.005 * formula);  // check prints 3 significant digits
}

TEST_CASE("worked: the case to paste, run as the case-format page says, prints what the page shows", "[docs]") {
    const std::string text = worked("case_format-example");
    const std::filesystem::path dir = "worked_other_case";
    std::filesystem::create_directories(dir);
    std::string script = between(text, "    cat > case.json <<'JSON'\n", "    JSON\n"), case_text;
    std::istringstream lines(script);
    for (std::string line; std::getline(lines, line);) case_text += line.substr(4) + "\n";
    file((dir / "case.json").string(), case_text);
    file((dir / "result.json").string(), between(text, "    echo '", "' > result.json") + "\n");
    const std::string cd = "cd " + dir.string() + " && " + program();
    const Run eval = shell(cd + " eval case.json -o expected.json");
    REQUIRE(eval.status == 0);
    const auto shown = nlohmann::json::parse(between(text, "~~~\n\"expected\": ", "~~~"));
    CHECK(nlohmann::json::parse(read((dir / "expected.json").string()))["expected"] == shown);
    const Run check = shell(cd + " check case.json result.json --dtype float32", "2>/dev/null");
    CHECK(check.status == 1);
    const std::string report = text.substr(text.rfind("~~~\ncheck ") + 4);
    CHECK(report.substr(0, report.find("(exit status")) == check.output);
    CHECK(has(report, "(exit status 1)"));
}

TEST_CASE("worked: the protocol page's Python and C++ examples pass suite on the golden cases they handle", "[docs]") {
    const std::string page = read(std::string(CNNBP_SOURCE_DIR) + "/docs/protocol.md");
    const std::string golden = std::string(CNNBP_SOURCE_DIR) + "/golden";
    file("protocol_relu.py", indented_block_after(page, "\\section proto_python"));
    const Run python = shell(program() + " suite " + golden + " --op relu --impl '/usr/bin/python3 protocol_relu.py'");
    INFO(python.output);
    CHECK(python.status == 0);
    CHECK(says(python, "1 passed, 0 failed"));
    file("protocol_linear.cpp", indented_block_after(page, "\\section proto_cpp"));
    const Run compiled = shell("c++ -std=c++17 -O1 protocol_linear.cpp -o protocol_linear");
    INFO(compiled.output);
    REQUIRE(compiled.status == 0);
    const Run cpp = shell(program() + " suite " + golden + " --op linear --require out,dx,dw --impl ./protocol_linear");
    INFO(cpp.output);
    CHECK(cpp.status == 0);
    CHECK(says(cpp, "2 passed, 0 failed"));
}

TEST_CASE("worked: the constants typed in the prose of the other pages are the code's", "[docs]") {
    auto page = [](const char* path) { return read(std::string(CNNBP_SOURCE_DIR) + "/" + path); };
    auto power = [](double v) { return "2^{" + std::to_string(std::ilogb(v)) + "}"; };
    // (F3): the relative step
    char step[64];
    std::snprintf(step, sizeof step, "%.1f \\cdot 10^{%d}", cnnbp::fd_default_relative_step * 1e6, -6);
    CHECK(has(page("derivations/08-gradcheck.md"), step));
    // (E1) and (E3): the unit roundoffs and the smallest normal numbers
    const std::string tolerances = page("derivations/15-tolerances.md");
    for (const char* dtype : {"float64", "float32"}) {
        const cnnbp::Precision p = cnnbp::precision(dtype);
        CHECK(has(tolerances, "u = " + power(p.u)));
        CHECK(has(tolerances, power(p.tiny)));
    }
    // the limits of the case-format page
    const std::string cases = page("docs/case_format.md");
    const cnnbp::Limits limits;
    CHECK(has(cases, "\\f$" + power(double(limits.elements)) + "\\f$ elements"));
    const std::string work = "\\f$" + power(double(limits.work)) + "\\f$";
    CHECK((has(cases, work + "\nmultiply-adds") || has(cases, work + " multiply-adds")));
    CHECK(has(cases, std::to_string(limits.layers) + " layers in a network"));
    const std::string depth = std::to_string(limits.nesting);
    CHECK((has(cases, "nesting depth of\n" + depth) || has(cases, "nesting depth of " + depth)));
    CHECK(has(cases, std::to_string(limits.file_bytes >> 20) + " MiB of file"));
}

TEST_CASE("worked: the roundings the tolerances page states for sigmoid and tanh are the oracle's", "[docs]") {
    const std::string page = read(std::string(CNNBP_SOURCE_DIR) + "/derivations/15-tolerances.md");
    for (const char* op : {"sigmoid", "tanh"}) {
        INFO(op);
        const nlohmann::ordered_json doc = {{"format", "cnnbp-case/1"}, {"op", op},
                                            {"inputs", {{"x", {{0.5, -2}}}}}, {"dout", {{1, -0.25}}}};
        const cnnbp::Evaluation e = cnnbp::evaluate_case(doc, "sigmoid.json");
        const double value = e.outputs.at("out").roundings.data.at(0), derivative = e.outputs.at("dx").roundings.data.at(0);
        CHECK(has(page, "get \\f$n = " + num(value) + "\\f$ relative to their magnitude"));  // values
        CHECK(has(page, "n = " + num(derivative) + " .\n\\tag{E4}"));                        // derivatives, (E4)
    }
}
