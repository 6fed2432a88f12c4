#include "demo.hpp"

#include "cnnbp/cnnbp.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <ostream>

namespace cnnbp::cli {

namespace {

double max_abs_diff(const Tensor4& a, const Tensor4& b) { return arma::abs(a.data() - b.data()).max(); }
double max_abs_diff(const arma::vec& a, const arma::vec& b) { return arma::abs(a - b).max(); }

}  // namespace

int run_demo(std::ostream& os) {
    // A case small enough to follow by hand that still shows every feature: stride 2 down the rows, asymmetric
    // padding, two filters over two channels, a bias, and a bottom input row that no window reaches.
    Tensor4 x(1, 2, 4, 5), w(2, 2, 2, 2), dout;
    for (arma::uword c = 0; c < 2; ++c)
        for (arma::uword h = 0; h < 4; ++h)
            for (arma::uword j = 0; j < 5; ++j) x(0, c, h, j) = static_cast<double>((3 * h + 2 * j + 5 * c) % 7) - 3;
    for (arma::uword f = 0; f < 2; ++f)
        for (arma::uword c = 0; c < 2; ++c)
            for (arma::uword u = 0; u < 2; ++u)
                for (arma::uword v = 0; v < 2; ++v) w(f, c, u, v) = static_cast<double>(f + 2 * c + u) - 2.0 * v;
    const arma::vec b{0.5, -1.0};
    Conv2dParams p;
    p.stride_h = 2;
    p.pad = {1, 0, 0, 1};  // top, bottom, left, right

    os << "conv2d demo: stride (2,1), padding " << p.pad << ", dilation 1, groups 1\n\n";
    os << "x " << x << "\nw " << w << "\nb = " << b.t() << '\n';
    const Tensor4 out = conv2d_forward(x, w, b, p);
    os << "out = conv2d_forward(x, w, b) " << out << '\n';

    dout = Tensor4(out.shape());
    for (arma::uword f = 0; f < out.c(); ++f)
        for (arma::uword i = 0; i < out.h(); ++i)
            for (arma::uword j = 0; j < out.w(); ++j) dout(0, f, i, j) = static_cast<double>(i + j + f) - 2.0;
    os << "dout (the upstream gradient dL/dout) " << dout << '\n';

    const Conv2dGrads g = conv2d_backward_matrix(dout, x, w, p);
    os << "dx " << g.dx << "\ndw " << g.dw << "\ndb = " << g.db.t() << '\n';
    os << "The padded input has " << x.h() + p.pad.top + p.pad.bottom << " rows; the two windows down the rows use\n"
       << "padded rows 0..3, so input row 3 is left out by the floor in the output size and gets no gradient.\n\n";

    double worst = 0;
    os << "Agreement of the four backward forms with the matrix form (max |difference|):\n";
    const struct {
        const char* name;
        Conv2dGrads grads;
    } forms[] = {{"scatter", conv2d_backward_scatter(dout, x, w, p)},
                 {"gather", conv2d_backward_gather(dout, x, w, p)},
                 {"closed", conv2d_backward_closed(dout, x, w, p)}};
    for (const auto& f : forms) {
        const double d = std::max({max_abs_diff(f.grads.dx, g.dx), max_abs_diff(f.grads.dw, g.dw),
                                   max_abs_diff(f.grads.db, g.db)});
        worst = std::max(worst, d);
        os << "  " << std::left << std::setw(8) << f.name << ' ' << d << '\n';
    }
    const Tensor4 ndx = numerical_vjp([&](const Tensor4& xx) { return conv2d_forward(xx, w, b, p); }, x, dout);
    const Tensor4 ndw = numerical_vjp([&](const Tensor4& ww) { return conv2d_forward(x, ww, b, p); }, w, dout);
    const arma::vec ndb = numerical_vjp([&](const arma::vec& bb) { return conv2d_forward(x, w, bb, p); }, b, dout);
    const double fd = std::max({max_abs_diff(ndx, g.dx), max_abs_diff(ndw, g.dw), max_abs_diff(ndb, g.db)});
    os << "Central finite differences of <out, dout> against the matrix form (max |difference|): " << fd << '\n';
    const bool ok = worst <= 1e-12 && fd <= 1e-9;
    os << (ok ? "OK" : "MISMATCH") << '\n';
    return ok ? 0 : 1;
}

}  // namespace cnnbp::cli
