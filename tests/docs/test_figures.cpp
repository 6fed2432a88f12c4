// The documentation's figures (cnnbp figure, src/cli/figure/), run through the program: each is well-formed,
// self-contained SVG, the same bytes on every run, and the geometry it draws is the library's. The figures mark what
// they draw with class and data-* attributes; these tests read them back and recompute each fact, from the library's
// functions and from the definitions written out here a second time.
#include "support/cli.hpp"

#include "cnnbp/cnnbp.hpp"

#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <vector>

using namespace cnnbp;
using cnnbp::testing::run;
using cnnbp::testing::says;

namespace {

// One element of the SVG: its name and attributes.
struct Element {
    std::string name;
    std::map<std::string, std::string> attrs;
    bool has_class(const std::string& c) const {
        auto it = attrs.find("class");
        if (it == attrs.end()) return false;
        std::istringstream words(it->second);
        for (std::string w; words >> w;)
            if (w == c) return true;
        return false;
    }
    long long integer(const std::string& key) const { return std::stoll(attrs.at(key)); }
    double number(const std::string& key) const { return std::stod(attrs.at(key)); }
    std::vector<int> ints(const std::string& key) const {
        std::istringstream in(attrs.at(key));
        std::vector<int> v;
        for (int k; in >> k;) v.push_back(k);
        return v;
    }
};

std::vector<Element> elements(const std::string& svg) {
    static const std::regex tag(R"(<([a-zA-Z]+)((?:\s+[\w:-]+="[^"]*")*)\s*/?>)"), attr(R"(([\w:-]+)="([^"]*)\")");
    std::vector<Element> out;
    for (auto it = std::sregex_iterator(svg.begin(), svg.end(), tag); it != std::sregex_iterator(); ++it) {
        Element e{(*it)[1], {}};
        const std::string a = (*it)[2];
        for (auto at = std::sregex_iterator(a.begin(), a.end(), attr); at != std::sregex_iterator(); ++at)
            e.attrs[(*at)[1]] = (*at)[2];
        out.push_back(e);
    }
    return out;
}

std::vector<Element> with_class(const std::vector<Element>& all, const std::string& c) {
    std::vector<Element> out;
    for (const Element& e : all)
        if (e.has_class(c)) out.push_back(e);
    return out;
}

// The figure's example: the one element of class "example".
Element example(const std::vector<Element>& all) {
    const auto ex = with_class(all, "example");
    REQUIRE(ex.size() == 1);
    return ex.front();
}

Window2d window_of(const Element& ex) {
    const auto k = ex.ints("data-kernel"), s = ex.ints("data-stride"), p = ex.ints("data-pad"),
               d = ex.ints("data-dilation");
    Window2d g{k[0], k[1], s[0], s[1], Padding{p[0], p[1], p[2], p[3]}, d[0], d[1]};
    if (ex.attrs.count("data-ceil")) g.ceil_mode = ex.integer("data-ceil") == 1;
    return g;
}

// Whether every element is closed in the order it was opened (comments, the XML declaration and self-closing tags
// aside), and no stray '<' or '&' is left in the text.
std::string unbalanced(const std::string& svg) {
    std::vector<std::string> open;
    static const std::regex token(R"(<(/?)([a-zA-Z]+)[^>]*?(/?)>|<\?[^>]*\?>|<!--[\s\S]*?-->|&[a-z]+;|&#[0-9]+;|[<&])");
    for (auto it = std::sregex_iterator(svg.begin(), svg.end(), token); it != std::sregex_iterator(); ++it) {
        const std::smatch& m = *it;
        if (m.str() == "<" || m.str() == "&") return "a stray '" + m.str() + "' at " + std::to_string(m.position());
        if (m[2].length() == 0) continue;  // declaration, comment or entity
        if (m[1] == "/") {
            if (open.empty() || open.back() != m[2]) return "</" + m[2].str() + "> closes nothing open";
            open.pop_back();
        } else if (m[3] != "/") {
            open.push_back(m[2]);
        }
    }
    return open.empty() ? "" : "<" + open.back() + "> is never closed";
}

std::vector<std::string> figure_names() {
    const auto r = run("figure --list");
    REQUIRE(r.status == 0);
    std::vector<std::string> names;
    std::istringstream lines(r.output);
    for (std::string line; std::getline(lines, line);)
        if (!line.empty()) names.push_back(line.substr(0, line.find(' ')));
    return names;
}

std::string figure(const std::string& name) {
    const auto r = run("figure " + name, "2>/dev/null");
    INFO(name);
    REQUIRE(r.status == 0);
    return r.output;
}

}  // namespace

TEST_CASE("figure: every listed figure is well-formed, self-contained SVG with a size, a viewBox and a title",
          "[docs]") {
    const auto names = figure_names();
    REQUIRE(names.size() >= 9);
    for (const std::string& name : names) {
        INFO(name);
        const std::string svg = figure(name);
        CHECK(unbalanced(svg) == "");
        const auto all = elements(svg);
        REQUIRE(!all.empty());
        const Element* root = nullptr;
        for (const Element& e : all)
            if (e.name == "svg") root = &e;
        REQUIRE(root);
        CHECK(root->attrs.count("viewBox"));
        CHECK(root->attrs.count("width"));
        CHECK(root->attrs.count("height"));
        CHECK(root->attrs.at("font-family") == "sans-serif");
        CHECK(std::regex_search(svg, std::regex("<title>[^<]{10,}</title>")));
        CHECK(svg.find("<script") == std::string::npos);
        CHECK(svg.find("href") == std::string::npos);  // nothing loaded from outside the file
        CHECK(svg.find("@import") == std::string::npos);
    }
}

TEST_CASE("figure: every figure is the same bytes on every run", "[docs]") {
    for (const std::string& name : figure_names()) {
        INFO(name);
        CHECK(figure(name) == figure(name));
    }
}

TEST_CASE("figure: an unknown name exits 2 and names it", "[docs]") {
    const auto r = run("figure no-such-figure");
    CHECK(r.status == 2);
    CHECK(says(r, "no-such-figure"));
}

TEST_CASE("figure: geometry-windows draws one window per output position and hatches the cells no tap reads",
          "[docs]") {
    const auto all = elements(figure("geometry-windows"));
    const Element ex = example(all);
    const Window2d g = window_of(ex);
    const long long H = ex.integer("data-h"), W = ex.integer("data-w");
    const OutputSize o = output_size("test", g, H, W);
    // (G1) a second time: window i exists when its last tap i s + d(K-1) is inside the padded axis
    auto count = [](long long n_p, int K, int s, int d) {
        long long c = 0;
        while (c * s + d * (K - 1) <= n_p - 1) ++c;
        return c;
    };
    CHECK((long long)o.h == count(H + g.pad.top + g.pad.bottom, g.kernel_h, g.stride_h, g.dilation_h));
    CHECK((long long)o.w == count(W + g.pad.left + g.pad.right, g.kernel_w, g.stride_w, g.dilation_w));
    const auto windows = with_class(all, "window");
    CHECK(windows.size() == o.h * o.w);
    std::set<std::pair<long long, long long>> ij;
    for (const Element& e : windows) ij.insert({e.integer("data-i"), e.integer("data-j")});
    CHECK(ij.size() == o.h * o.w);
    CHECK(with_class(all, "tap").size() == o.h * o.w * g.kernel_h * g.kernel_w);
    // (G0): the input cells under some tap; the others are drawn as left out
    std::set<std::pair<long long, long long>> read, left_out;
    for (const auto& [i, j] : ij)
        for (int u = 0; u < g.kernel_h; ++u)
            for (int v = 0; v < g.kernel_w; ++v)
                read.insert({i * g.stride_h + u * g.dilation_h - g.pad.top, j * g.stride_w + v * g.dilation_w - g.pad.left});
    for (const Element& e : with_class(all, "left-out")) left_out.insert({e.integer("data-h"), e.integer("data-w")});
    long long expected = 0;
    for (long long h = 0; h < H; ++h)
        for (long long w = 0; w < W; ++w) {
            INFO("x[" << h << "," << w << "]");
            CHECK(left_out.count({h, w}) == 1 - read.count({h, w}));
            expected += 1 - read.count({h, w});
        }
    CHECK(left_out.size() == std::size_t(expected));
    CHECK(expected > 0);  // the example does leave something out
}

TEST_CASE("figure: maxpool-routing sends each dout to the library's winner, the first maximum in row-major order",
          "[docs]") {
    const auto all = elements(figure("maxpool-routing"));
    const Element ex = example(all);
    const Window2d g = window_of(ex);
    Tensor4 x(1, 1, ex.integer("data-h"), ex.integer("data-w"));
    for (const Element& e : with_class(all, "x")) x(0, 0, e.integer("data-h"), e.integer("data-w")) = e.number("data-value");
    const OutputSize o = pool_output_size("test", g, x.h(), x.w());
    const auto routes = with_class(all, "route");
    REQUIRE(routes.size() == o.h * o.w);
    int ties = 0;
    for (const Element& r : routes) {
        const long long i = r.integer("data-i"), j = r.integer("data-j");
        INFO("window (" << i << "," << j << ")");
        const Winner win = maxpool2d_winner(x, 0, 0, i, j, g);
        CHECK(r.integer("data-h") == (long long)win.h);
        CHECK(r.integer("data-w") == (long long)win.w);
        // (X2) a second time: scan the taps in row-major order and keep the first strict maximum
        long long bh = -1, bw = -1;
        int maxima = 0;
        for (int u = 0; u < g.kernel_h; ++u)
            for (int v = 0; v < g.kernel_w; ++v) {
                const long long h = i * g.stride_h + u - g.pad.top, w = j * g.stride_w + v - g.pad.left;
                if (h < 0 || w < 0 || h >= (long long)x.h() || w >= (long long)x.w()) continue;
                if (bh < 0 || x(0, 0, h, w) > x(0, 0, bh, bw)) bh = h, bw = w, maxima = 1;
                else if (x(0, 0, h, w) == x(0, 0, bh, bw)) ++maxima;
            }
        CHECK(r.integer("data-h") == bh);
        CHECK(r.integer("data-w") == bw);
        ties += maxima > 1;
    }
    CHECK(ties > 0);  // the figure shows the tie rule at work
}

TEST_CASE("figure: avgpool-ceil draws every window of pool_output_size with avgpool2d_divisor's divisor", "[docs]") {
    const auto all = elements(figure("avgpool-ceil"));
    const Element ex = example(all);
    AvgPool2dParams p{window_of(ex), true};
    AvgPool2dParams excl = p;
    excl.count_include_pad = false;
    const Window2d& g = p.window;
    const long long H = ex.integer("data-h"), W = ex.integer("data-w");
    const OutputSize o = pool_output_size("test", g, H, W);
    CHECK(o.h > (arma::uword)output_size_1d(H, g.kernel_h, g.stride_h, g.pad.top, g.pad.bottom, 1));  // ceil_mode adds a row
    const auto windows = with_class(all, "avg-window");
    REQUIRE(windows.size() == o.h * o.w);
    for (const Element& e : windows) {
        const long long i = e.integer("data-i"), j = e.integer("data-j");
        INFO("window (" << i << "," << j << ")");
        CHECK(e.number("data-divisor") == avgpool2d_divisor(i, j, H, W, p));
        CHECK(e.number("data-divisor-excl") == avgpool2d_divisor(i, j, H, W, excl));
        // (A2) a second time: count the cells of the window inside the padded input, and inside the input
        long long in_padded = 0, in_input = 0;
        for (long long a = i * g.stride_h; a < i * g.stride_h + g.kernel_h; ++a)
            for (long long b = j * g.stride_w; b < j * g.stride_w + g.kernel_w; ++b) {
                in_padded += a < H + g.pad.top + g.pad.bottom && b < W + g.pad.left + g.pad.right;
                in_input += a >= g.pad.top && a < H + g.pad.top && b >= g.pad.left && b < W + g.pad.left;
            }
        CHECK(e.number("data-divisor") == in_padded);
        CHECK(e.number("data-divisor-excl") == in_input);
    }
}

TEST_CASE("figure: conv-im2col labels every entry with the pixel that (M1) copies there", "[docs]") {
    const auto all = elements(figure("conv-im2col"));
    const Element ex = example(all);
    const Window2d g = window_of(ex);
    const auto shape = ex.ints("data-shape");
    const int N = shape[0], C = shape[1], H = shape[2], W = shape[3];
    const OutputSize o = output_size("test", g, H, W);
    const auto entries = with_class(all, "entry");
    REQUIRE(entries.size() == std::size_t(C * g.kernel_h * g.kernel_w) * N * o.h * o.w);
    int pads = 0;
    for (const Element& e : entries) {
        const int row = e.integer("data-row"), col = e.integer("data-col");
        const int c = row / (g.kernel_h * g.kernel_w), u = row / g.kernel_w % g.kernel_h, v = row % g.kernel_w;
        const int n = col / (o.h * o.w), i = col / o.w % o.h, j = col % o.w;
        const int h = i * g.stride_h + u * g.dilation_h - g.pad.top, w = j * g.stride_w + v * g.dilation_w - g.pad.left;
        const bool pad = h < 0 || w < 0 || h >= H || w >= W;
        INFO("row " << row << ", column " << col);
        CHECK(e.attrs.at("data-source") == (pad ? std::string("pad")
                                                : std::to_string(n) + "," + std::to_string(c) + "," +
                                                      std::to_string(h) + "," + std::to_string(w)));
        pads += pad;
    }
    CHECK(pads > 0);
}

TEST_CASE("figure: stride-dilation's cropped full convolution is conv2d's dx", "[docs]") {
    const auto all = elements(figure("stride-dilation"));
    const Element ex = example(all);
    const Window2d g = window_of(ex);
    Conv2dParams p;
    p.stride_h = g.stride_h, p.stride_w = g.stride_w, p.dilation_h = g.dilation_h, p.dilation_w = g.dilation_w;
    p.pad = g.pad;
    const long long H = ex.integer("data-h"), W = ex.integer("data-w");
    const OutputSize o = output_size("test", g, H, W);
    Tensor4 dout(1, 1, o.h, o.w), w(1, 1, g.kernel_h, g.kernel_w);
    for (const Element& e : with_class(all, "dout")) dout(0, 0, e.integer("data-h"), e.integer("data-w")) = e.number("data-value");
    for (const Element& e : with_class(all, "w")) w(0, 0, e.integer("data-h"), e.integer("data-w")) = e.number("data-value");
    CHECK(with_class(all, "dout").size() == o.h * o.w);
    const Tensor4 dx = conv2d_backward_scatter(dout, Tensor4(1, 1, H, W), w, p).dx;
    const auto cells = with_class(all, "dx");
    REQUIRE(cells.size() == std::size_t(H * W));
    for (const Element& e : cells) {
        INFO("dx[" << e.attrs.at("data-h") << "," << e.attrs.at("data-w") << "]");
        CHECK(e.number("data-value") == Approx(dx(0, 0, e.integer("data-h"), e.integer("data-w"))).margin(1e-9));
    }
}

TEST_CASE("figure: conv2d-pixel-view marks exactly the windows whose taps cover the pixel (C6)", "[docs]") {
    const auto all = elements(figure("conv2d-pixel-view"));
    const Element ex = example(all);
    const Window2d g = window_of(ex);
    const OutputSize o = output_size("test", g, ex.integer("data-h"), ex.integer("data-w"));
    // the windows of each pixel panel, in the order drawn
    const auto pixels = with_class(all, "pixel");
    REQUIRE(pixels.size() == 2);
    const auto windows = with_class(all, "window");
    std::size_t k = 0;
    for (const Element& px : pixels) {
        const long long h = px.integer("data-h"), w = px.integer("data-w");
        std::set<std::vector<long long>> expected;  // (i, j, u, v) with (G0) landing on the pixel
        for (long long i = 0; i < (long long)o.h; ++i)
            for (long long j = 0; j < (long long)o.w; ++j)
                for (long long u = 0; u < g.kernel_h; ++u)
                    for (long long v = 0; v < g.kernel_w; ++v)
                        if (i * g.stride_h + u * g.dilation_h == h + g.pad.top &&
                            j * g.stride_w + v * g.dilation_w == w + g.pad.left)
                            expected.insert({i, j, u, v});
        std::set<std::vector<long long>> drawn;
        for (std::size_t n = 0; n < expected.size() && k < windows.size(); ++n, ++k)
            drawn.insert({windows[k].integer("data-i"), windows[k].integer("data-j"), windows[k].integer("data-u"),
                          windows[k].integer("data-v")});
        INFO("pixel (" << h << "," << w << ")");
        CHECK(drawn == expected);
    }
    CHECK(k == windows.size());
}

TEST_CASE("figure: conv-groups joins each filter to exactly the channels of its group (K1)", "[docs]") {
    const auto all = elements(figure("conv-groups"));
    const auto lines = with_class(all, "reads");
    std::set<std::pair<long long, long long>> drawn;
    long long F = 0, C = 0;
    for (const Element& e : lines) {
        drawn.insert({e.integer("data-f"), e.integer("data-c")});
        F = std::max(F, e.integer("data-f") + 1), C = std::max(C, e.integer("data-c") + 1);
    }
    // every filter reads C_g channels, so G = C / C_g, and (K1) fixes which ones
    const long long C_g = (long long)drawn.size() / F, G = C / C_g, F_g = F / G;
    REQUIRE(G > 1);
    std::set<std::pair<long long, long long>> expected;
    for (long long f = 0; f < F; ++f)
        for (long long c = 0; c < C_g; ++c) expected.insert({f, f / F_g * C_g + c});
    CHECK(drawn == expected);
    CHECK(lines.size() == drawn.size());
}

TEST_CASE("figure: conv-transpose places each copy at (h s, w s) in an output of conv_transpose2d's size", "[docs]") {
    const auto all = elements(figure("conv-transpose"));
    const Element ex = example(all);
    const auto k = ex.ints("data-kernel"), s = ex.ints("data-stride"), pad = ex.ints("data-pad"),
               op = ex.ints("data-output-padding"), padded = ex.ints("data-padded"), out = ex.ints("data-out");
    const long long H = ex.integer("data-h"), W = ex.integer("data-w");
    ConvTranspose2dParams p;
    p.stride_h = s[0], p.stride_w = s[1], p.pad = Padding{pad[0], pad[1], pad[2], pad[3]};
    p.output_padding_h = op[0], p.output_padding_w = op[1];
    const Tensor4 y = conv_transpose2d_forward(Tensor4(1, 1, H, W), Tensor4(1, 1, k[0], k[1]), std::nullopt, p);
    CHECK(out[0] == (long long)y.h());
    CHECK(out[1] == (long long)y.w());
    // (U1) a second time: the last copy ends at (H-1) s + K - 1, then the output padding
    CHECK(padded[0] == (H - 1) * s[0] + k[0] + op[0]);
    CHECK(padded[1] == (W - 1) * s[1] + k[1] + op[1]);
    CHECK(padded[0] - pad[0] - pad[1] == (long long)y.h());
    const auto copies = with_class(all, "copy");
    CHECK(copies.size() == std::size_t(H * W));
    for (const Element& c : copies) {
        CHECK(c.integer("data-row") == c.integer("data-h") * s[0]);
        CHECK(c.integer("data-col") == c.integer("data-w") * s[1]);
    }
}

TEST_CASE("figure: tiny-cnn shows the numbers sequential_backprop computes for tiny_cnn_example", "[docs]") {
    const auto all = elements(figure("tiny-cnn"));
    const NetworkCase net = tiny_cnn_example(false);
    const SequentialTrace t = sequential_backprop(net.layers, net.params, net.x, net.loss);
    auto plane = [](const Value& v) { return std::get<Tensor4>(v); };
    auto scalar = [](const Value& v) {
        return std::holds_alternative<arma::mat>(v) ? std::get<arma::mat>(v)(0, 0) : std::get<Tensor4>(v)(0, 0, 0, 0);
    };
    const std::map<std::string, Tensor4> planes = {
        {"x", plane(t.a[0])}, {"z", plane(t.a[1])}, {"dx", plane(t.da[0])}, {"dz", plane(t.da[1])}};
    const std::map<std::string, double> scalars = {{"p", scalar(t.a[2])},   {"r", scalar(t.a[4])},
                                                   {"E", t.loss},           {"dp", scalar(t.da[2])},
                                                   {"dr", scalar(t.da[4])}};
    std::map<std::string, int> seen;
    for (const Element& e : with_class(all, "value")) {
        if (!e.attrs.count("data-value")) continue;
        const std::string name = e.attrs.at("data-name");
        INFO(name);
        ++seen[name];
        const double want = planes.count(name) ? planes.at(name)(0, 0, e.integer("data-h"), e.integer("data-w"))
                                               : scalars.at(name);
        CHECK(e.number("data-value") == Approx(want).epsilon(1e-3).margin(1e-12));
    }
    for (const auto& [name, p] : planes) CHECK(seen[name] == int(p.h() * p.w()));
    for (const auto& [name, v] : scalars) CHECK(seen[name] == 1);
}

TEST_CASE("figure: linear-shapes draws three products whose shapes chain, with linear's own result shapes", "[docs]") {
    const auto all = elements(figure("linear-shapes"));
    std::map<long long, std::vector<Element>> products;
    for (const Element& e : with_class(all, "matrix")) products[e.integer("data-product")].push_back(e);
    REQUIRE(products.size() == 3);
    std::map<std::string, std::pair<long long, long long>> shape;  // name -> (rows, cols)
    for (const auto& [k, terms] : products) {
        REQUIRE(terms.size() == 3);
        const Element &result = terms[0], &left = terms[1], &right = terms[2];
        INFO(result.attrs.at("data-name") << " = " << left.attrs.at("data-name") << " " << right.attrs.at("data-name"));
        CHECK(left.integer("data-cols") == right.integer("data-rows"));
        CHECK(result.integer("data-rows") == left.integer("data-rows"));
        CHECK(result.integer("data-cols") == right.integer("data-cols"));
        for (const Element& e : terms) shape[e.attrs.at("data-name")] = {e.integer("data-rows"), e.integer("data-cols")};
    }
    const auto [N, D] = shape.at("x");
    const long long M = shape.at("W").first;
    const arma::mat x(N, D, arma::fill::ones), w(M, D, arma::fill::ones);
    const arma::mat out = linear_forward(x, w, std::nullopt);
    const LinearGrads g = linear_backward(out, x, w);
    CHECK(shape.at("out") == std::pair<long long, long long>(out.n_rows, out.n_cols));
    CHECK(shape.at("dx") == std::pair<long long, long long>(g.dx.n_rows, g.dx.n_cols));
    CHECK(shape.at("dW") == std::pair<long long, long long>(g.dw.n_rows, g.dw.n_cols));
    CHECK(N != D);  // a picture with N = D could not show which side a factor goes
    CHECK(D != M);
}
