#include "cnnbp/layers/activation.hpp"

#include "cnnbp/core/error.hpp"

#include <cmath>
#include <sstream>

namespace cnnbp {

namespace scalar {
// [activation_scalars]
double relu(double z) { return z > 0 ? z : 0.0; }
double relu_prime(double z) { return z > 0 ? 1.0 : 0.0; }  // at the kink z = 0: 0, as the frameworks choose
double sigmoid(double z) {
    // Both branches are the same function; each evaluates e^t only for t <= 0, so nothing overflows.
    if (z >= 0) return 1.0 / (1.0 + std::exp(-z));
    const double e = std::exp(z);
    return e / (1.0 + e);
}
double sigmoid_prime(double z) {
    const double s = sigmoid(z);  // at the net input z, not at the activation s
    return s * (1.0 - s);
}
double tanh_prime(double z) {
    const double t = std::tanh(z);
    return 1.0 - t * t;
}
// [activation_scalars]
}  // namespace scalar

namespace {

std::string shape_of(const Tensor4& t) { return to_string(t.shape()); }
std::string shape_of(const arma::mat& m) {
    std::ostringstream os;
    os << m.n_rows << " x " << m.n_cols;
    return os.str();
}
arma::uword count(const Tensor4& t) { return t.size(); }
arma::uword count(const arma::mat& m) { return m.n_elem; }

// out_k = f(x_k) for every element, whatever the rank.
template <class T, class F>
T map(const T& x, F f) {
    T out = x;
    for (arma::uword k = 0; k < count(x); ++k) out.memptr()[k] = f(x.memptr()[k]);
    return out;
}

// dx_k = dout_k f'(x_k), the backward of every elementwise layer (N1).
template <class T, class FPrime>
ActivationGrads<T> chain(const char* fn, const T& dout, const T& x, FPrime f_prime) {
    if (shape_of(dout) != shape_of(x) || count(dout) != count(x))
        fail(fn, ": dout has shape ", shape_of(dout), " but x has shape ", shape_of(x));
    T dx = x;
    for (arma::uword k = 0; k < count(x); ++k) dx.memptr()[k] = dout.memptr()[k] * f_prime(x.memptr()[k]);
    return {dx};
}

}  // namespace

Tensor4 relu_forward(const Tensor4& x) { return map(x, scalar::relu); }
arma::mat relu_forward(const arma::mat& x) { return map(x, scalar::relu); }
ActivationGrads<Tensor4> relu_backward(const Tensor4& dout, const Tensor4& x) {
    return chain("relu_backward", dout, x, scalar::relu_prime);
}
ActivationGrads<arma::mat> relu_backward(const arma::mat& dout, const arma::mat& x) {
    return chain("relu_backward", dout, x, scalar::relu_prime);
}

Tensor4 sigmoid_forward(const Tensor4& x) { return map(x, scalar::sigmoid); }
arma::mat sigmoid_forward(const arma::mat& x) { return map(x, scalar::sigmoid); }
ActivationGrads<Tensor4> sigmoid_backward(const Tensor4& dout, const Tensor4& x) {
    return chain("sigmoid_backward", dout, x, scalar::sigmoid_prime);
}
ActivationGrads<arma::mat> sigmoid_backward(const arma::mat& dout, const arma::mat& x) {
    return chain("sigmoid_backward", dout, x, scalar::sigmoid_prime);
}

Tensor4 tanh_forward(const Tensor4& x) { return map(x, [](double z) { return std::tanh(z); }); }
arma::mat tanh_forward(const arma::mat& x) { return map(x, [](double z) { return std::tanh(z); }); }
ActivationGrads<Tensor4> tanh_backward(const Tensor4& dout, const Tensor4& x) {
    return chain("tanh_backward", dout, x, scalar::tanh_prime);
}
ActivationGrads<arma::mat> tanh_backward(const arma::mat& dout, const arma::mat& x) {
    return chain("tanh_backward", dout, x, scalar::tanh_prime);
}

}  // namespace cnnbp
