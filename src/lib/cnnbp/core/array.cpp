#include "cnnbp/core/array.hpp"

#include "cnnbp/core/error.hpp"

#include <sstream>

namespace cnnbp {

arma::uword Array::size() const {
    arma::uword n = 1;
    for (arma::uword e : shape) n *= e;
    return n;
}

std::string Array::shape_string() const {
    std::ostringstream os;
    os << '(';
    for (std::size_t i = 0; i < shape.size(); ++i) os << (i ? "," : "") << shape[i];
    os << ')';
    return os.str();
}

std::string Array::index_string(arma::uword k) const {
    std::vector<arma::uword> index(shape.size());
    for (std::size_t i = shape.size(); i-- > 0;) {
        index[i] = k % shape[i];
        k /= shape[i];
    }
    std::ostringstream os;
    os << '(';
    for (std::size_t i = 0; i < index.size(); ++i) os << (i ? "," : "") << index[i];
    os << ')';
    return os.str();
}

Array to_array(const Tensor4& t) {
    Array a{{t.n(), t.c(), t.h(), t.w()}, {}};
    a.data.reserve(t.size());
    for (arma::uword n = 0; n < t.n(); ++n)
        for (arma::uword c = 0; c < t.c(); ++c)
            for (arma::uword h = 0; h < t.h(); ++h)
                for (arma::uword w = 0; w < t.w(); ++w) a.data.push_back(t.at(n, c, h, w));
    return a;
}

Array to_array(const arma::mat& m) {
    Array a{{m.n_rows, m.n_cols}, {}};
    a.data.reserve(m.n_elem);
    for (arma::uword r = 0; r < m.n_rows; ++r)
        for (arma::uword c = 0; c < m.n_cols; ++c) a.data.push_back(m(r, c));
    return a;
}

Array to_array(const arma::vec& v) { return {{v.n_elem}, {v.begin(), v.end()}}; }

Array to_array(double x) { return {{}, {x}}; }

namespace {
void require_rank(const Array& a, arma::uword rank, const std::string& what, const char* form) {
    if (a.rank() != rank)
        fail(what, " must be a rank-", rank, " tensor ", form, ", but it has rank ", a.rank(), " and shape ",
             a.shape_string());
}
}  // namespace

Tensor4 to_tensor4(const Array& a, const std::string& what) {
    require_rank(a, 4, what, "(N,C,H,W)");
    Tensor4 t(a.shape[0], a.shape[1], a.shape[2], a.shape[3]);
    arma::uword k = 0;
    for (arma::uword n = 0; n < t.n(); ++n)
        for (arma::uword c = 0; c < t.c(); ++c)
            for (arma::uword h = 0; h < t.h(); ++h)
                for (arma::uword w = 0; w < t.w(); ++w) t.at(n, c, h, w) = a.data[k++];
    return t;
}

arma::mat to_matrix(const Array& a, const std::string& what) {
    require_rank(a, 2, what, "(rows, columns)");
    arma::mat m(a.shape[0], a.shape[1]);
    arma::uword k = 0;
    for (arma::uword r = 0; r < m.n_rows; ++r)
        for (arma::uword c = 0; c < m.n_cols; ++c) m(r, c) = a.data[k++];
    return m;
}

arma::vec to_vector(const Array& a, const std::string& what) {
    require_rank(a, 1, what, "(n)");
    return arma::vec(a.data);
}

double to_scalar(const Array& a, const std::string& what) {
    if (a.rank() != 0) fail(what, " must be a number, but it is a tensor of shape ", a.shape_string());
    return a.data[0];
}

}  // namespace cnnbp
