#include "tiny_cnn_report.hpp"

#include "cnnbp/cnnbp.hpp"

#include <iomanip>
#include <ostream>

namespace cnnbp::cli {

namespace {

void print_plane(std::ostream& os, const char* name, const Tensor4& t) {
    os << "  " << name << " =";
    for (arma::uword h = 0; h < t.h(); ++h) {
        os << (h == 0 ? " [" : "\n" + std::string(6 + std::string(name).size(), ' '));
        for (arma::uword w = 0; w < t.w(); ++w) os << (w ? ", " : "[") << t(0, 0, h, w) + 0.0;
        os << ']';
    }
    os << "]\n";
}

// + 0.0 turns a -0 (a zero gradient times a negative number) into 0 for printing
double scalar_of(const Value& v) { return std::get<arma::mat>(v)(0, 0) + 0.0; }

// Central differences of the loss with respect to the conv filter: an independent check of dE/dw.
double worst_fd_error(NetworkCase net, const Tensor4& dw) {
    const Tensor4 w = std::get<Tensor4>(*net.params[0].w);
    const Tensor4 fd = numerical_gradient(
        [&](const Tensor4& probe) {
            net.params[0].w = probe;
            return sequential_backprop(net.layers, net.params, net.x, net.loss).loss;
        },
        w);
    return arma::abs(fd.data() - dw.data()).max();
}

int part(std::ostream& os, const char* title, bool relu, double conv_bias) {
    const NetworkCase net = tiny_cnn_example(relu, conv_bias);
    const SequentialTrace t = sequential_backprop(net.layers, net.params, net.x, net.loss);
    const std::size_t conv = 1, act = relu ? 2 : 1, pool = act + 1, fc = pool + 2;  // indices into t.a
    const Tensor4& x = std::get<Tensor4>(t.a[0]);
    const Tensor4& w = std::get<Tensor4>(*net.params[0].w);
    const double b = (*net.params[0].b)(0);
    const double v = std::get<arma::mat>(*net.params[fc - 1].w)(0, 0), c = (*net.params[fc - 1].b)(0);
    const double target = std::get<MseLoss>(net.loss).y(0, 0);
    const Winner win = maxpool2d_winner(std::get<Tensor4>(t.a[act]), 0, 0, 0, 0, Window2d::pooling(2, 2));
    const double p = scalar_of(t.a[pool + 1]), r = scalar_of(t.a[fc]);

    os << std::setprecision(12) << title << '\n';
    os << " forward\n";
    print_plane(os, "x", x);
    print_plane(os, "w", w);
    os << "  b = " << b << ", v = " << v << ", c = " << c << ", t = " << target << '\n';
    print_plane(os, "z", std::get<Tensor4>(t.a[conv]));
    if (relu) print_plane(os, "a", std::get<Tensor4>(t.a[act]));
    os << "  p = " << p << "  (the maximum, at row " << win.h << ", column " << win.w << ")\n";
    os << "  r = " << r << '\n';
    os << "  E = " << t.loss << '\n';
    os << " backward\n";
    os << "  dE/dr = " << scalar_of(t.da[fc]) << '\n';
    os << "  dE/dv = " << std::get<arma::mat>(*t.grads[fc - 1].dw)(0, 0) + 0.0 << ", dE/dc = " << (*t.grads[fc - 1].db)(0) + 0.0
       << '\n';
    os << "  dE/dp = " << scalar_of(t.da[pool + 1]) << '\n';
    if (relu) print_plane(os, "dE/da", std::get<Tensor4>(t.da[act]));
    print_plane(os, "dE/dz", std::get<Tensor4>(t.da[conv]));
    const Tensor4& dw = std::get<Tensor4>(*t.grads[0].dw);
    print_plane(os, "dE/dw", dw);
    os << "  dE/db = " << (*t.grads[0].db)(0) + 0.0 << '\n';
    print_plane(os, "dE/dx", std::get<Tensor4>(t.da[0]));
    const double fd = worst_fd_error(net, dw);
    os << " check: central differences of E in w differ from dE/dw by at most " << fd << "\n\n";
    return fd <= 1e-9 ? 0 : 1;  // E is quadratic in w near this point: the differences are exact up to rounding
}

}  // namespace

int run_tiny_cnn(std::ostream& os) {
    const int first = part(os, "Part I: conv -> max pool -> fully connected -> quadratic loss", false, -0.5);
    const int second = part(os, "Part II: conv -> relu -> max pool -> fully connected -> quadratic loss", true, -0.5);
    const int third = part(os, "Part II with b = -3.5: every z is negative, and the ReLU passes no gradient", true, -3.5);
    return first | second | third;
}

}  // namespace cnnbp::cli
