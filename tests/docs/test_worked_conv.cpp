// The worked results of the convolution pages (cnnbp worked, src/cli/worked/conv_pages.cpp): every name a page uses
// exists and writes Markdown, and the matrices a fragment prints are read back and recomputed here from the index
// formulas of the derivations, independently of the library. Numbers still in the pages' prose are checked against
// the code.
#include "cnnbp/core/error.hpp"
#include "cnnbp/core/geometry.hpp"
#include "support/cli.hpp"

#include <catch2/catch.hpp>

#include <armadillo>
#include <cctype>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

using namespace cnnbp;
using namespace cnnbp::testing;

namespace {

const char* const pages[] = {"02-geometry", "03-pad2d",       "04-conv2d",          "05-stride_dilation",
                             "06-groups",   "07-conv_matrix", "16-conv_transpose2d"};

std::string read(const std::string& path) {
    std::ifstream in(path);
    REQUIRE(in);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// The fragment NAME as `cnnbp worked NAME` writes it.
std::string worked(const std::string& name) {
    const Run r = run("worked " + name, "2>/dev/null");
    INFO("cnnbp worked " << name);
    REQUIRE(r.status == 0);
    return r.output;
}

// The names after `@worked` on a page.
std::vector<std::string> worked_lines(const std::string& page) {
    std::vector<std::string> names;
    const std::string text = read(std::string(CNNBP_SOURCE_DIR) + "/derivations/" + page + ".md");
    static const std::regex line(R"((^|\n)@worked\s+([a-z0-9_-]+))");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), line); it != std::sregex_iterator(); ++it)
        names.push_back((*it)[2]);
    return names;
}

// The matrix printed as `NAME = \begin{pmatrix} a & b \\ c & d \end{pmatrix}` (NAME not the tail of a longer
// name such as \dx for x), read back; \mathbf{} marks are dropped.
arma::mat matrix(const std::string& text, const std::string& name) {
    const std::string key = name + " = \\begin{pmatrix}";
    std::size_t at = text.find(key);
    while (at != std::string::npos && at > 0 && (std::isalnum((unsigned char)text[at - 1]) || text[at - 1] == '\\'))
        at = text.find(key, at + 1);
    INFO("the matrix " << name);
    REQUIRE(at != std::string::npos);
    const std::size_t from = at + key.size(), to = text.find("\\end{pmatrix}", from);
    std::string body = text.substr(from, to - from);
    body = std::regex_replace(body, std::regex(R"(\\mathbf\{([^}]*)\})"), "$1");
    std::vector<std::vector<double>> rows(1);
    std::istringstream cells(
        std::regex_replace(std::regex_replace(body, std::regex(R"(\\\\)"), " ; "), std::regex("&"), " "));
    for (std::string cell; cells >> cell;) {
        if (cell == ";")
            rows.emplace_back();
        else
            rows.back().push_back(std::stod(cell));
    }
    arma::mat m(rows.size(), rows.front().size());
    for (arma::uword i = 0; i < m.n_rows; ++i) {
        REQUIRE(rows[i].size() == m.n_cols);
        for (arma::uword j = 0; j < m.n_cols; ++j)
            m(i, j) = rows[i][j];
    }
    return m;
}

bool same(const arma::mat& a, const arma::mat& b) {
    return arma::size(a) == arma::size(b) && arma::all(arma::vectorise(a == b));
}

// One plane of conv2d by its definition, (C1) without bias, and its backward (C3), (C4), on the padded input:
// out[i,j] = sum_{u,v} w[u,v] xp[i s_h + u d_h, j s_w + v d_w].
struct Conv {
    int s_h = 1, s_w = 1, d_h = 1, d_w = 1;
    arma::uword H(const arma::mat& xp, const arma::mat& w) const {
        return (xp.n_rows - d_h * (w.n_rows - 1) - 1) / s_h + 1;
    }
    arma::uword W(const arma::mat& xp, const arma::mat& w) const {
        return (xp.n_cols - d_w * (w.n_cols - 1) - 1) / s_w + 1;
    }
    arma::mat out(const arma::mat& xp, const arma::mat& w) const {
        arma::mat o(H(xp, w), W(xp, w), arma::fill::zeros);
        for (arma::uword i = 0; i < o.n_rows; ++i)
            for (arma::uword j = 0; j < o.n_cols; ++j)
                for (arma::uword u = 0; u < w.n_rows; ++u)
                    for (arma::uword v = 0; v < w.n_cols; ++v)
                        o(i, j) += w(u, v) * xp(i * s_h + u * d_h, j * s_w + v * d_w);
        return o;
    }
    arma::mat dxp(const arma::mat& dout, const arma::mat& w, arma::uword Hp, arma::uword Wp) const {
        arma::mat g(Hp, Wp, arma::fill::zeros);
        for (arma::uword i = 0; i < dout.n_rows; ++i)
            for (arma::uword j = 0; j < dout.n_cols; ++j)
                for (arma::uword u = 0; u < w.n_rows; ++u)
                    for (arma::uword v = 0; v < w.n_cols; ++v)
                        g(i * s_h + u * d_h, j * s_w + v * d_w) += w(u, v) * dout(i, j);
        return g;
    }
    arma::mat dw(const arma::mat& dout, const arma::mat& xp, arma::uword Kh, arma::uword Kw) const {
        arma::mat g(Kh, Kw, arma::fill::zeros);
        for (arma::uword u = 0; u < Kh; ++u)
            for (arma::uword v = 0; v < Kw; ++v)
                for (arma::uword i = 0; i < dout.n_rows; ++i)
                    for (arma::uword j = 0; j < dout.n_cols; ++j)
                        g(u, v) += dout(i, j) * xp(i * s_h + u * d_h, j * s_w + v * d_w);
        return g;
    }
};

}  // namespace

TEST_CASE("worked: every name on the convolution pages is listed and writes Markdown", "[docs]") {
    const Run list = run("worked --list", "2>/dev/null");
    REQUIRE(list.status == 0);
    std::set<std::string> listed;
    std::istringstream lines(list.output);
    for (std::string line; std::getline(lines, line);)
        listed.insert(line.substr(0, line.find("  ")));
    std::set<std::string> used;
    for (const char* page : pages) {
        const std::vector<std::string> names = worked_lines(page);
        INFO("page " << page);
        CHECK(!names.empty());  // each page ends with its results, at least
        used.insert(names.begin(), names.end());
    }
    for (const std::string& name : used) {
        INFO("name " << name);
        CHECK(listed.count(name) == 1);
        const std::string md = worked(name);
        CHECK(md.size() > 100);
        CHECK(md.find("\\f$") != std::string::npos);     // it holds formulas, not a stub
        CHECK(md.find("**") == std::string::npos);       // bold is <b>, never a Markdown marker that may stay literal
        CHECK(md.find("\\cnnbp") == std::string::npos);  // no unexpanded placeholder of tools/doc-filter.py
    }
}

TEST_CASE("worked: each results block shows the tensors, the forms agreeing and a finite difference", "[docs]") {
    for (const char* name :
         {"geometry", "pad2d", "conv2d", "stride_dilation", "groups", "conv_matrix", "conv_transpose2d"}) {
        INFO("name " << name);
        const std::string md = worked(name);
        CHECK(md.find("~~~\nx = Tensor4 (") != std::string::npos);
        CHECK(md.find("dx = Tensor4 (") != std::string::npos);
        CHECK(md.find("| central difference |") != std::string::npos);
    }
}

TEST_CASE("worked: the conv2d example's out, dx and dw are (C1), (C3) and (C4) of its x, w and dout", "[docs]") {
    const std::string md = worked("conv2d-example");
    const arma::mat x = matrix(md, "x"), w = matrix(md, "w"), dout = matrix(md, "\\dout");
    const Conv c;
    CHECK(same(matrix(md, "\\out"), c.out(x, w)));
    CHECK(same(matrix(md, "\\dx"), c.dxp(dout, w, x.n_rows, x.n_cols)));
    CHECK(same(matrix(md, "\\dw"), c.dw(dout, x, w.n_rows, w.n_cols)));
    CHECK(x.n_rows != x.n_cols);  // the pages' examples are not square
}

TEST_CASE("worked: the pad2d example's out and dx are (P1) and (P2) of its x and dout", "[docs]") {
    const std::string md = worked("pad2d-example");
    std::smatch m;
    REQUIRE(std::regex_search(
        md, m, std::regex(R"(p_\{top\} = (\d+).*p_\{bottom\} = (\d+).*p_\{left\} = (\d+).*p_\{right\} = (\d+))")));
    const arma::uword top = std::stoul(m[1]), bottom = std::stoul(m[2]), left = std::stoul(m[3]),
                      right = std::stoul(m[4]);
    CHECK((top != bottom || left != right));  // asymmetric
    const arma::mat x = matrix(md, "x"), out = matrix(md, "\\out"), dout = matrix(md, "\\dout");
    arma::mat padded(top + x.n_rows + bottom, left + x.n_cols + right, arma::fill::zeros);
    padded.submat(top, left, top + x.n_rows - 1, left + x.n_cols - 1) = x;
    CHECK(same(out, padded));
    CHECK(same(matrix(md, "\\dx"), dout.submat(top, left, top + x.n_rows - 1, left + x.n_cols - 1)));
}

TEST_CASE("worked: the stride and dilation steps end in the dx and dw of the definition", "[docs]") {
    const std::string dx_md = worked("stride_dilation-dx"), dw_md = worked("stride_dilation-dw");
    // the case the page states: stride 2, dilation (2, 1), padding top 1 and left 1
    REQUIRE(dx_md.find("s_h = s_w = 2") != std::string::npos);
    REQUIRE(dx_md.find("d_h = 2, d_w = 1") != std::string::npos);
    REQUIRE(dx_md.find("p_{top} = 1, p_{bottom} = 0, p_{left} = 1, p_{right} = 0") != std::string::npos);
    Conv c;
    c.s_h = c.s_w = 2;
    c.d_h = 2;
    const arma::mat xp = matrix(dx_md, "\\xp"), w = matrix(dx_md, "w"), dout = matrix(dx_md, "\\dout");
    REQUIRE(dout.n_rows == c.H(xp, w));
    REQUIRE(dout.n_cols == c.W(xp, w));
    const arma::mat dxp = c.dxp(dout, w, xp.n_rows, xp.n_cols);
    CHECK(same(matrix(dx_md, "\\dx^{p}"), dxp));
    CHECK(same(matrix(dx_md, "\\dx"), dxp.submat(1, 1, xp.n_rows - 1, xp.n_cols - 1)));
    CHECK(same(matrix(dw_md, "\\dw"), c.dw(dout, xp, w.n_rows, w.n_cols)));
    // (S1): dout spread by the stride
    const arma::mat ds = matrix(dx_md, "\\dout^{s}");
    CHECK(ds(0, 0) == dout(0, 0));
    CHECK(ds(2, 2) == dout(1, 1));
    CHECK(ds(1, 1) == 0);
}

TEST_CASE("worked: the matrix form's cols is (M1) of its x", "[docs]") {
    const std::string md = worked("conv_matrix-example");
    REQUIRE(md.find("p_{bottom} = 1, p_{left} = 1") != std::string::npos);
    const arma::mat x = matrix(md, "x"), cols = matrix(md, "\\mathrm{cols}");
    arma::mat xp(x.n_rows + 1, x.n_cols + 1, arma::fill::zeros);
    xp.submat(0, 1, x.n_rows - 1, x.n_cols) = x;
    const arma::uword Wo = xp.n_cols - 1, Ho = xp.n_rows - 1;  // a 2 x 2 kernel, stride 1
    REQUIRE(cols.n_cols == Ho * Wo);
    for (arma::uword i = 0; i < Ho; ++i)
        for (arma::uword j = 0; j < Wo; ++j)
            for (arma::uword u = 0; u < 2; ++u)
                for (arma::uword v = 0; v < 2; ++v)
                    CHECK(cols(u * 2 + v, i * Wo + j) == xp(i + u, j + v));
}

TEST_CASE("worked: the transposed convolution's example is (U1), (U6), (U7), and at stride 1 conv2d's dx", "[docs]") {
    const std::string md = worked("conv_transpose2d-example"), conv = worked("conv2d-example");
    const arma::mat x = matrix(md, "x"), w = matrix(md, "w"), dout = matrix(md, "\\dout");
    Conv c;  // (U6) and (U7) are conv2d's (C1) and (C4) at stride 2 on dout
    c.s_h = c.s_w = 2;
    CHECK(same(matrix(md, "\\out"), c.dxp(x, w, dout.n_rows, dout.n_cols)));  // (U1): the scatter of x
    CHECK(same(matrix(md, "\\dx"), c.out(dout, w)));
    CHECK(same(matrix(md, "\\dw"), c.dw(x, dout, w.n_rows, w.n_cols)));
    CHECK(same(x, matrix(conv, "\\dout")));
    CHECK(same(matrix(md, "\\mathrm{convT}(x, w)"), matrix(conv, "\\dx")));
}

TEST_CASE("worked: the geometry example is the main job's case, and the prose's numbers are the code's", "[docs]") {
    const std::string md = worked("geometry-example");
    const Run demo = run("demo", "2>/dev/null");
    std::smatch m;
    REQUIRE(std::regex_search(demo.output, m, std::regex(R"(input row (\d+) is left out)")));
    CHECK(md.find("which is input row " + m[1].str() + ", is in no window") != std::string::npos);
    REQUIRE(std::regex_search(demo.output, m, std::regex(R"(The padded input has (\d+) rows)")));
    CHECK(md.find("n_p = " + m[1].str()) != std::string::npos);

    // geometry page, (G4): n = 1, K = 2, p_lo = p_hi = 1, d = 2 has one window, its taps on padded positions 0 and
    // 2, both padding; pooling refuses it.
    CHECK(output_size_1d(1, 2, 1, 1, 1, 2) == 1);
    CHECK(window_at(0, 1, 1) == 0);      // tap 0 at position 0 = 0 s + 0 d
    CHECK(window_at(2 - 2, 1, 1) == 0);  // tap 1 at position 2 = 0 s + 1 d
    Window2d g;
    g.kernel_h = g.kernel_w = 2;
    g.pad = Padding::all(1);
    g.dilation_h = g.dilation_w = 2;
    CHECK_THROWS_AS(pool_output_size("test", g, 1, 1), Error);

    // conv2d page, (C6): with stride 1, no dilation and a 3 x 3 kernel a pixel far from the border is under every
    // tap of nine windows.
    int windows = 0;
    for (int u = 0; u < 3; ++u)
        for (int v = 0; v < 3; ++v)
            windows += window_at(5 - u, 1, 8) >= 0 && window_at(5 - v, 1, 8) >= 0;
    CHECK(windows == 9);
}
