// The figures of the documentation, each drawn from the library's own geometry (docs/artifacts.hpp). Every figure
// writes its example's parameters and the facts it shows as data-* attributes (class="window" data-i="0" ...), so
// that tests/docs/test_figures.cpp can check the drawing against the library.
#include "figure_groups.hpp"

namespace cnnbp::cli {

std::string data(const std::string& name, long long value) { return data(name, std::to_string(value)); }
std::string data(const std::string& name, const std::string& value) { return " " + name + "=\"" + value + "\""; }

std::string example_hooks(const Window2d& g, arma::uword H, arma::uword W) {
    auto two = [](int a, int b) { return std::to_string(a) + " " + std::to_string(b); };
    return data("class", "example") + data("data-h", H) + data("data-w", W) +
           data("data-kernel", two(g.kernel_h, g.kernel_w)) + data("data-stride", two(g.stride_h, g.stride_w)) +
           data("data-pad", two(g.pad.top, g.pad.bottom) + " " + two(g.pad.left, g.pad.right)) +
           data("data-dilation", two(g.dilation_h, g.dilation_w)) + data("data-ceil", g.ceil_mode ? 1 : 0);
}

std::string window_text(const Window2d& g) {
    auto pair = [](const char* name, int h, int w) {
        return std::string(", ") + name + "=" + (h == w ? std::to_string(h) : std::to_string(h) + "x" + std::to_string(w));
    };
    std::string s = "K=" + std::to_string(g.kernel_h) + "x" + std::to_string(g.kernel_w) + pair("s", g.stride_h, g.stride_w);
    if (g.dilation_h != 1 || g.dilation_w != 1) s += pair("d", g.dilation_h, g.dilation_w);
    const Padding& p = g.pad;
    if (p == Padding::all(p.top) && p.top != 0) {
        s += ", p=" + std::to_string(p.top);
    } else {
        for (auto [name, v] : {std::pair{"p_top", p.top}, {"p_bottom", p.bottom}, {"p_left", p.left}, {"p_right", p.right}})
            if (v != 0) s += std::string(", ") + name + "=" + std::to_string(v);
    }
    if (g.ceil_mode) s += ", ceil_mode";
    return s;
}

std::vector<Artifact> figures() {
    std::vector<Artifact> all;
    for (auto group : {geometry_figures, conv_figures, transpose_figures, pool_figures, network_figures})
        for (Artifact& a : group()) all.push_back(std::move(a));
    return all;
}

}  // namespace cnnbp::cli
