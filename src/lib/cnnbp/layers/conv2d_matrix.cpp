// The matrix form of conv2d, (M2)-(M5), at the speed of the machine: one sample and one group at a time, the windows
// unfolded into a workspace each thread reuses, every product written by the BLAS straight into the tensor it
// belongs to. Derivation: "The matrix form", section "One sample at a time".
#include "cnnbp/core/error.hpp"
#include "cnnbp/core/parallel.hpp"
#include "cnnbp/layers/conv2d.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

namespace cnnbp {

namespace {

// The unfolded sample of (M5): cols_n,g with P = H'W' rows (position i + j H', the output plane's storage order) and
// K_g = C_g K_h K_w columns (tap (c' K_w + v) K_h + u, the filter's storage order). It is (M1)'s matrix for one sample,
// transposed, with rows and columns permuted; the permutation changes no sum, and it lets W_g, out and dout be used
// where they lie in memory.
struct Unfolding {
    const Conv2dShape& s;
    arma::uword H, W;  // the input plane

    arma::uword positions() const { return s.out.h * s.out.w; }
    arma::uword taps() const { return s.c_group * s.window.kernel_h * s.window.kernel_w; }

    // Calls run(block, in, rows, row) for every output column j of every tap (c', u, v) of input channel c0 + c':
    // `block` is block j (H' entries) of column (c' K_w + v) K_h + u of the workspace `cols`, `in` the input column
    // that tap reads for windows in column j (x points at channel c0), and entry i of the block belongs to input
    // element in[i s_h + row] for i in `rows`. Where column j reads the padding, `rows` is empty and `in` null.
    template <class Run>
    void for_each_run(double* cols, double* x, Run&& run) const {
        const Window2d& g = s.window;
        for (arma::uword cc = 0; cc < s.c_group; ++cc)
            for (int v = 0; v < g.kernel_w; ++v)
                for (int u = 0; u < g.kernel_h; ++u) {
                    const Tap t = tap_at(g, s.out, H, W, u, v);
                    double* col = cols + ((cc * g.kernel_w + v) * g.kernel_h + u) * positions();
                    double* plane = x + cc * H * W;
                    for (arma::uword j = 0; j < s.out.w; ++j) {
                        const bool inside = j >= t.cols.first && j < t.cols.last;
                        double* in = inside ? plane + ((long long)(j * g.stride_w) + t.col) * (long long)H : nullptr;
                        run(col + j * s.out.h, in, inside ? t.rows : TapRange{}, t.row);
                    }
                }
    }

    // (M5), im2col for sample n: x points at channel c0 of sample n; cols holds P x K_g doubles.
    void unfold(const double* x, double* cols) const {
        const int s_h = s.window.stride_h;
        const arma::uword rows = s.out.h;
        for_each_run(cols, const_cast<double*>(x), [&](double* block, const double* in, TapRange is, long long off) {
            std::fill(block, block + is.first, 0.0);  // taps on the top padding (or the whole column j)
            if (s_h == 1 && is.first < is.last)
                std::memcpy(block + is.first, in + ((long long)is.first + off), (is.last - is.first) * sizeof(double));
            else
                for (arma::uword i = is.first; i < is.last; ++i) block[i] = in[(long long)i * s_h + off];
            std::fill(block + is.last, block + rows, 0.0);  // taps on the bottom padding
        });
    }

    // (M4) for sample n, col2im: adds every entry of dcols onto the input element it was copied from (dx points at
    // channel c0 of sample n); entries that came from the padding are dropped.
    void fold_add(const double* dcols, double* dx) const {
        const int s_h = s.window.stride_h;
        for_each_run(const_cast<double*>(dcols), dx, [&](double* block, double* out, TapRange is, long long off) {
            for (arma::uword i = is.first; i < is.last; ++i) out[(long long)i * s_h + off] += block[i];
        });
    }
};

// An m x n matrix over memory that belongs to a tensor (no copy; Armadillo writes a product straight into it).
arma::mat view(const double* p, arma::uword m, arma::uword n) { return arma::mat(const_cast<double*>(p), m, n, false, true); }

// This thread's workspace `slot` as an m x n matrix: kept between calls, so that no call allocates (and faults in)
// a large buffer; it grows to the largest layer the thread has seen (bounded by --max-elements) and stays so.
arma::mat workspace(int slot, arma::uword m, arma::uword n) {
    thread_local std::vector<double> buffers[2];
    std::vector<double>& b = buffers[slot];
    if (b.size() < m * n) b.resize(m * n);
    return arma::mat(b.data(), m, n, false, true);
}

}  // namespace

// [conv2d_forward_matrix]
Tensor4 conv2d_forward_matrix(const Tensor4& x, const Tensor4& w, const std::optional<arma::vec>& b,
                              const Conv2dParams& p) {
    const Conv2dShape s = conv2d_shape("conv2d_forward_matrix", x.shape(), w.shape(), b, p);
    const Unfolding unfolding{s, x.h(), x.w()};
    const arma::uword P = unfolding.positions(), K = unfolding.taps(), G = arma::uword(p.groups);
    const arma::uword N = x.n(), C = x.c(), F = w.n(), plane = x.h() * x.w();
    Tensor4 out(s.out_shape);
    const SerialBlas serial;
#pragma omp parallel if (worth_threads(N * F * K * P))
    {
        arma::mat cols = workspace(0, P, K);  // this thread's workspace, reused for every sample and group
#pragma omp for schedule(static)
        for (arma::uword n = 0; n < N; ++n)
            for (arma::uword group = 0; group < G; ++group) {
                unfolding.unfold(x.memptr() + (n * C + group * s.c_group) * plane, cols.memptr());
                // (M5): out_n,g = cols_n,g W_g^T, a P x F_g matrix that is out[n, g F_g .. (g+1) F_g) as it lies
                arma::mat out_ng = view(out.memptr() + (n * F + group * s.f_group) * P, P, s.f_group);
                out_ng = cols * view(w.memptr() + group * s.f_group * K, K, s.f_group);
                if (b) out_ng.each_row() += b->subvec(group * s.f_group, (group + 1) * s.f_group - 1).t();
            }
    }
    return out;
}
// [conv2d_forward_matrix]

// [conv2d_backward_matrix]
Conv2dGrads conv2d_backward_matrix(const Tensor4& dout, const Tensor4& x, const Tensor4& w,
                                   const Conv2dParams& p) {
    const Conv2dShape s = conv2d_backward_shape("conv2d_backward_matrix", dout, x, w, p);
    const Unfolding unfolding{s, x.h(), x.w()};
    const arma::uword P = unfolding.positions(), K = unfolding.taps(), G = arma::uword(p.groups);
    const arma::uword N = x.n(), C = x.c(), F = w.n(), plane = x.h() * x.w();
    Tensor4 dx(x.shape()), dw(w.shape());
    arma::mat dW = view(dw.memptr(), K, F);  // dW_g is columns [g F_g, (g+1) F_g): w's layout
    const SerialBlas serial;
#pragma omp parallel if (worth_threads(N * F * K * P))
    {
        arma::mat cols = workspace(0, P, K), dW_n = workspace(1, K, F);  // the sample's cols and share of dW
#pragma omp for ordered schedule(static, 1)
        for (arma::uword n = 0; n < N; ++n) {
            for (arma::uword group = 0; group < G; ++group) {
                const arma::uword c0 = group * s.c_group, f0 = group * s.f_group;
                // forward (M5): out_n,g = cols_n,g W_g^T
                unfolding.unfold(x.memptr() + (n * C + c0) * plane, cols.memptr());
                const arma::mat D = view(dout.memptr() + (n * F + f0) * P, P, s.f_group);
                const arma::mat Wg = view(w.memptr() + f0 * K, K, s.f_group);
                arma::mat dW_ng = view(dW_n.colptr(f0), K, s.f_group);
                dW_ng = cols.t() * D;  // (M3), term 1, for sample n: dW_g^T gets cols^T dout
                cols = D * Wg.t();     // (M3), term 2: dcols_n,g = dout_n,g W_g (cols is not needed any more)
                unfolding.fold_add(cols.memptr(), dx.memptr() + (n * C + c0) * plane);  // (M4)
            }
            // dW = sum over n of dW_n, added in the order of n whatever the number of threads: bit-identical results
#pragma omp ordered
            dW += dW_n;
        }
    }
    return {dx, dw, bias_gradient(dout)};
}
// [conv2d_backward_matrix]

}  // namespace cnnbp
