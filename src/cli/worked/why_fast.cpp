// "Why backprop is fast", measured: one forward and backward pass against the 2P forward passes that central
// differences need for the same P gradients (docs/why_fast.md). The network is the kind the pages derive: conv2d,
// relu, max pool, flatten, linear, quadratic cost.
#include "cnnbp/cnnbp.hpp"
#include "worked.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <sstream>

namespace cnnbp::cli {
namespace {

struct Network {
    std::vector<Layer> layers;
    std::vector<LayerParams> params;
    Value x;
    MseLoss loss;
};

// x (N, 1, S, S) -> conv2d F filters 3x3, padding 1 -> relu -> max pool 2x2 -> flatten -> linear to M -> mse.
Network network(arma::uword n, arma::uword size, arma::uword filters, arma::uword m) {
    arma::arma_rng::set_seed(7);
    Network net;
    Conv2dParams conv;
    conv.pad = Padding::all(1);
    Window2d pool;
    pool.kernel_h = pool.kernel_w = pool.stride_h = pool.stride_w = 2;
    net.layers = {layer("conv2d", conv), layer("relu"), layer("maxpool2d", pool), layer("flatten"), layer("linear")};
    Tensor4 w(filters, 1, 3, 3), x(n, 1, size, size);
    w.data().randn();
    x.data().randn();
    const arma::uword features = filters * (size / 2) * (size / 2);
    arma::mat fc(m, features, arma::fill::randn);
    net.params = {LayerParams{Value(w), arma::vec(filters, arma::fill::randn)}, {}, {}, {},
                  LayerParams{Value(arma::mat(fc / std::sqrt(double(features)))), arma::vec(m, arma::fill::randn)}};
    net.x = Value(x);
    net.loss.y = arma::mat(n, m, arma::fill::randn);
    return net;
}

double loss_of(const Network& net) {
    const std::vector<Value> a = sequential_forward(net.layers, net.params, net.x);
    return mse_forward(std::get<arma::mat>(a.back()), net.loss.y);
}

// Every parameter as a pointer into the network's own storage, so that finite differences can nudge it.
std::vector<double*> parameters(Network& net) {
    std::vector<double*> p;
    for (LayerParams& lp : net.params) {
        if (lp.w) {
            double* data = std::visit([](auto& v) { return v.memptr(); }, *lp.w);
            const arma::uword size = std::visit([](auto& v) -> arma::uword { return v.size(); }, *lp.w);
            for (arma::uword i = 0; i < size; ++i) p.push_back(data + i);
        }
        if (lp.b)
            for (double& b : *lp.b) p.push_back(&b);
    }
    return p;
}

std::vector<double> backprop_gradient(const Network& net) {
    SequentialTrace t = sequential_backprop(net.layers, net.params, net.x, net.loss);
    std::vector<double> g;
    for (const LayerGrads& lg : t.grads) {
        if (lg.dw)
            std::visit([&](const auto& v) { g.insert(g.end(), v.memptr(), v.memptr() + v.size()); }, *lg.dw);
        if (lg.db) g.insert(g.end(), lg.db->begin(), lg.db->end());
    }
    return g;
}

// Central differences (F1), one parameter at a time: two forward passes each.
std::vector<double> finite_difference_gradient(Network& net) {
    std::vector<double> g;
    for (double* p : parameters(net)) g.push_back(central_difference(*p, [&] { return loss_of(net); }).value);
    return g;
}

// The median over `rounds` runs of body, in seconds.
template <class Body>
double median_seconds(int rounds, Body body) {
    std::vector<double> t;
    for (int r = 0; r < rounds; ++r) {
        const auto start = std::chrono::steady_clock::now();
        body();
        t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

std::string seconds(double s) {
    std::ostringstream os;
    os << std::setprecision(3);
    if (s < 1e-3) os << s * 1e6 << " µs";
    else if (s < 1) os << s * 1e3 << " ms";
    else os << s << " s";
    return os.str();
}

std::string why_fast() {
    std::ostringstream os;
    os << "| network | P | one forward | forward + backward | 2P forward passes (central differences) | "
          "differences / backprop | max \\|backprop - differences\\| |\n|---|---|---|---|---|---|---|\n";
    struct Size { arma::uword n, size, filters, m; };
    for (const Size s : {Size{2, 8, 4, 10}, Size{2, 12, 6, 10}, Size{2, 16, 8, 10}}) {
        Network net = network(s.n, s.size, s.filters, s.m);
        const std::size_t p = parameters(net).size();
        double sink = 0;
        const double forward = median_seconds(9, [&] { sink += loss_of(net); });
        const double backprop = median_seconds(9, [&] { sink += backprop_gradient(net).front(); });
        std::vector<double> fd;
        const double differences = median_seconds(1, [&] { fd = finite_difference_gradient(net); });
        const std::vector<double> bp = backprop_gradient(net);
        double worst = 0;
        for (std::size_t i = 0; i < p; ++i) worst = std::max(worst, std::abs(bp[i] - fd[i]));
        os << "| N=" << s.n << ", 1x" << s.size << "x" << s.size << ", " << s.filters << " filters, " << s.m
           << " outputs | " << p << " | " << seconds(forward) << " | " << seconds(backprop) << " | "
           << seconds(differences) << " | " << std::fixed << std::setprecision(0) << differences / backprop << " x | "
           << std::defaultfloat << std::setprecision(2) << worst << (sink == 12345.678 ? " " : "") << " |\n";
    }
    return os.str();
}

}  // namespace

std::vector<Artifact> site_pages_worked() {
    return {{"why_fast", "one backward pass against 2P forward passes of central differences, timed", why_fast}};
}

}  // namespace cnnbp::cli
