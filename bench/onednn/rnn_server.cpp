// oneDNN's fused RNN primitives as a speed reference for AutoGradRnn (bench/compare-onednn.sh).
//
// A line-protocol server, the same protocol as `AutoGradRnn.Benchmarks serve`:
//   "<lstm|gru|rnn> B T D H <fb|f> <budget ms>" -> "<median ms> 0 <reps> <cpu ms per rep>"
//       fb = forward_training + backward per iteration (the gradient of the sum of all outputs), f = forward_inference;
//       iterations are timed until the budget is spent, at least 3 and at most 200 of them.
//   "check <cell> B T D H <dir>" -> "y <abs> y_inf <abs> h_t <abs> dx <rel> dw_ih <rel> dw_hh <rel> db <rel>"
//       loads AutoGradRnn's dump (input, PyTorch-layout weights, our outputs and gradients; see
//       bench/AutoGradRnn.Benchmarks/Dump.cs), runs oneDNN on the same data and prints the largest differences:
//       forward ones absolute, gradients relative to the largest magnitude of ours. The shape's primitives then keep
//       these weights and input for the timing.
//   "info" -> oneDNN version, CPU runtime, effective ISA, threads
//   "formats <cell> B T D H" -> the weight layouts oneDNN picked for forward_training / backward
//   "quit"
//
// Cells: lstm = oneDNN's LSTM (gates i, f, c~, o = PyTorch's i, f, g, o); gru = oneDNN's lbr_gru, which is PyTorch's
// GRU with gates (u, r, o) = PyTorch's (z, r, n) and 4 bias blocks u = b_iz + b_hz, r = b_ir + b_hr, o = b_in,
// o' = b_hn; rnn = vanilla RNN with tanh. One layer, left to right, f32, tnc data, explicit zero initial states
// (oneDNN 2.6.3 computed a wrong diff_weights_iter when src_iter was a zero memory descriptor).
//
// Build: g++ -O3 -march=native -fopenmp -o rnn_server rnn_server.cpp -ldnnl        Run: rnn_server [--threads N]
#include <oneapi/dnnl/dnnl.hpp>
#include <oneapi/dnnl/dnnl_debug.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;
using dims = memory::dims;

namespace {

double now_ms() {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double cpu_ms() {
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

// A blocked layout as the order of its dimensions by stride, e.g. "ldigo" (no inner blocks) or the format kind.
std::string layout(const memory::desc &md, const char *letters) {
    const auto &d = md.data;
    if (d.format_kind != dnnl_blocked) return dnnl_fmt_kind2str(d.format_kind);
    std::vector<int> idx(d.ndims);
    for (int i = 0; i < d.ndims; i++) idx[i] = i;
    std::stable_sort(idx.begin(), idx.end(),
            [&](int a, int b) { return d.format_desc.blocking.strides[a] > d.format_desc.blocking.strides[b]; });
    std::string s;
    for (int i : idx) s += letters[i];
    if (d.format_desc.blocking.inner_nblks > 0) s += " (blocked)";
    return s;
}

std::vector<float> load(const std::string &dir, const char *name, size_t count) {
    std::string path = dir + "/" + name + ".f32";
    std::ifstream f(path, std::ios::binary | std::ios::ate);
    if (!f) throw std::runtime_error("cannot open " + path);
    if ((size_t)f.tellg() != count * sizeof(float))
        throw std::runtime_error(path + " has " + std::to_string((size_t)f.tellg()) + " bytes, expected "
                + std::to_string(count * sizeof(float)));
    std::vector<float> v(count);
    f.seekg(0);
    f.read(reinterpret_cast<char *>(v.data()), count * sizeof(float));
    return v;
}

// max that keeps a NaN (std::max would drop it, and a NaN output must fail the check)
void upd(double &d, double x) { d = std::isnan(d) || std::isnan(x) ? NAN : std::max(d, x); }

float *ptr(const memory &m) { return static_cast<float *>(m.get_data_handle()); }
void zero(const memory &m) { std::memset(m.get_data_handle(), 0, m.get_desc().get_size()); }

struct Net {
    std::string cell;
    int B, T, D, H, G, GB;
    bool train;
    engine eng;
    stream strm;
    primitive_desc fwd_pd, bwd_pd;
    primitive fwd, bwd;
    std::unordered_map<int, memory> fargs, bargs;
    memory user_wl, user_wi, user_b; // ldigo, ldigo, ldgo: what the check fills in
    std::vector<int> perm;            // oneDNN gate g takes PyTorch's gate block perm[g]
    bool bwd_weights_shared = false;
    bool warmed = false;
    reorder wl_to_bwd, wi_to_bwd;

    Net(const std::string &cell_, int B_, int T_, int D_, int H_, bool train_, const engine &e)
        : cell(cell_), B(B_), T(T_), D(D_), H(H_), train(train_), eng(e), strm(e) {
        if (cell == "lstm") { G = 4; GB = 4; perm = {0, 1, 2, 3}; }
        else if (cell == "gru") { G = 3; GB = 4; perm = {1, 0, 2}; }
        else if (cell == "rnn") { G = 1; GB = 1; perm = {0}; }
        else throw std::runtime_error("unknown cell " + cell);
        bool lstm = cell == "lstm";
        auto dir = rnn_direction::unidirectional_left2right;
        memory::desc src_layer({T, B, D}, dt::f32, tag::tnc), dst_layer({T, B, H}, dt::f32, tag::tnc);
        memory::desc state({1, 1, B, H}, dt::f32, tag::ldnc), none;
        memory::desc wl({1, 1, D, G, H}, dt::f32, tag::any), wi({1, 1, H, G, H}, dt::f32, tag::any);
        memory::desc bias({1, 1, GB, H}, dt::f32, tag::ldgo);
        auto pk = train ? prop_kind::forward_training : prop_kind::forward_inference;
        const auto &c = lstm ? state : none;
        if (lstm) {
            lstm_forward::primitive_desc pd(lstm_forward::desc(pk, dir, src_layer, state, c, wl, wi, bias, dst_layer, state, c), eng);
            fwd_pd = pd;
            fwd = lstm_forward(pd);
            if (train) {
                lstm_backward::primitive_desc bpd(lstm_backward::desc(prop_kind::backward, dir, src_layer, state, c, wl, wi, bias,
                        dst_layer, state, c, src_layer, state, c, wl, wi, bias, dst_layer, state, c), eng, pd);
                bwd_pd = bpd;
                bwd = lstm_backward(bpd);
            }
        } else if (cell == "gru") {
            lbr_gru_forward::primitive_desc pd(lbr_gru_forward::desc(pk, dir, src_layer, state, wl, wi, bias, dst_layer, state), eng);
            fwd_pd = pd;
            fwd = lbr_gru_forward(pd);
            if (train) {
                lbr_gru_backward::primitive_desc bpd(lbr_gru_backward::desc(prop_kind::backward, dir, src_layer, state, wl, wi, bias,
                        dst_layer, state, src_layer, state, wl, wi, bias, dst_layer, state), eng, pd);
                bwd_pd = bpd;
                bwd = lbr_gru_backward(bpd);
            }
        } else {
            auto act = algorithm::eltwise_tanh;
            vanilla_rnn_forward::primitive_desc pd(vanilla_rnn_forward::desc(pk, act, dir, src_layer, state, wl, wi, bias, dst_layer, state), eng);
            fwd_pd = pd;
            fwd = vanilla_rnn_forward(pd);
            if (train) {
                vanilla_rnn_backward::primitive_desc bpd(vanilla_rnn_backward::desc(prop_kind::backward, act, dir, src_layer, state, wl, wi,
                        bias, dst_layer, state, src_layer, state, wl, wi, bias, dst_layer, state), eng, pd);
                bwd_pd = bpd;
                bwd = vanilla_rnn_backward(bpd);
            }
        }

        std::vector<int> fwd_list = {DNNL_ARG_SRC_LAYER, DNNL_ARG_SRC_ITER, DNNL_ARG_WEIGHTS_LAYER, DNNL_ARG_WEIGHTS_ITER,
                DNNL_ARG_BIAS, DNNL_ARG_DST_LAYER, DNNL_ARG_DST_ITER};
        if (lstm) { fwd_list.push_back(DNNL_ARG_SRC_ITER_C); fwd_list.push_back(DNNL_ARG_DST_ITER_C); }
        if (train) fwd_list.push_back(DNNL_ARG_WORKSPACE);
        for (int a : fwd_list) {
            auto md = fwd_pd.query_md(query::exec_arg_md, a);
            if (md.is_zero()) throw std::runtime_error("forward primitive has no memory for argument " + std::to_string(a));
            fargs[a] = memory(md, eng);
        }

        // Weights: drawn like PyTorch's default (the check replaces them), given in ldigo and reordered into oneDNN's layout.
        user_wl = memory({{1, 1, D, G, H}, dt::f32, tag::ldigo}, eng);
        user_wi = memory({{1, 1, H, G, H}, dt::f32, tag::ldigo}, eng);
        user_b = memory({{1, 1, GB, H}, dt::f32, tag::ldgo}, eng);
        std::mt19937 rng(1);
        float k = 1.0f / std::sqrt((float)H);
        std::uniform_real_distribution<float> u(-k, k);
        std::normal_distribution<float> n01(0, 1);
        for (auto *m : {&user_wl, &user_wi, &user_b}) {
            size_t cnt = m->get_desc().get_size() / sizeof(float);
            for (size_t i = 0; i < cnt; i++) ptr(*m)[i] = u(rng);
        }
        {
            auto &x = fargs[DNNL_ARG_SRC_LAYER];
            size_t cnt = x.get_desc().get_size() / sizeof(float);
            for (size_t i = 0; i < cnt; i++) ptr(x)[i] = n01(rng);
        }
        zero(fargs[DNNL_ARG_SRC_ITER]);
        if (lstm) zero(fargs[DNNL_ARG_SRC_ITER_C]);

        if (train) {
            std::vector<int> bwd_list = {DNNL_ARG_SRC_LAYER, DNNL_ARG_SRC_ITER, DNNL_ARG_WEIGHTS_LAYER, DNNL_ARG_WEIGHTS_ITER,
                    DNNL_ARG_BIAS, DNNL_ARG_DST_LAYER, DNNL_ARG_DST_ITER, DNNL_ARG_WORKSPACE, DNNL_ARG_DIFF_SRC_LAYER,
                    DNNL_ARG_DIFF_SRC_ITER, DNNL_ARG_DIFF_WEIGHTS_LAYER, DNNL_ARG_DIFF_WEIGHTS_ITER, DNNL_ARG_DIFF_BIAS,
                    DNNL_ARG_DIFF_DST_LAYER, DNNL_ARG_DIFF_DST_ITER};
            if (lstm)
                for (int a : {DNNL_ARG_SRC_ITER_C, DNNL_ARG_DST_ITER_C, DNNL_ARG_DIFF_SRC_ITER_C, DNNL_ARG_DIFF_DST_ITER_C})
                    bwd_list.push_back(a);
            for (int a : bwd_list) {
                auto md = bwd_pd.query_md(query::exec_arg_md, a);
                if (md.is_zero()) throw std::runtime_error("backward primitive has no memory for argument " + std::to_string(a));
                auto f = fargs.find(a);
                bargs[a] = f != fargs.end() && f->second.get_desc() == md ? f->second : memory(md, eng);
            }
            // Backward wants its own (transposed) weight layout: one reorder per iteration, as in training, where the
            // weights change every step.
            bwd_weights_shared = bargs[DNNL_ARG_WEIGHTS_LAYER].get_data_handle() == fargs[DNNL_ARG_WEIGHTS_LAYER].get_data_handle()
                    && bargs[DNNL_ARG_WEIGHTS_ITER].get_data_handle() == fargs[DNNL_ARG_WEIGHTS_ITER].get_data_handle();
            if (!bwd_weights_shared) {
                wl_to_bwd = reorder(fargs[DNNL_ARG_WEIGHTS_LAYER], bargs[DNNL_ARG_WEIGHTS_LAYER]);
                wi_to_bwd = reorder(fargs[DNNL_ARG_WEIGHTS_ITER], bargs[DNNL_ARG_WEIGHTS_ITER]);
            }
            // d(sum of outputs)/d(outputs) = 1; nothing flows in through the final state.
            auto &dy = bargs[DNNL_ARG_DIFF_DST_LAYER];
            std::fill(ptr(dy), ptr(dy) + dy.get_desc().get_size() / sizeof(float), 1.0f);
            zero(bargs[DNNL_ARG_DIFF_DST_ITER]);
            if (lstm) zero(bargs[DNNL_ARG_DIFF_DST_ITER_C]);
        }
        upload_weights();
    }

    void upload_weights() {
        reorder(user_wl, fargs[DNNL_ARG_WEIGHTS_LAYER]).execute(strm, user_wl, fargs[DNNL_ARG_WEIGHTS_LAYER]);
        reorder(user_wi, fargs[DNNL_ARG_WEIGHTS_ITER]).execute(strm, user_wi, fargs[DNNL_ARG_WEIGHTS_ITER]);
        reorder(user_b, fargs[DNNL_ARG_BIAS]).execute(strm, user_b, fargs[DNNL_ARG_BIAS]);
        strm.wait();
    }

    void run() {
        if (train) {
            if (!bwd_weights_shared) {
                wl_to_bwd.execute(strm, fargs[DNNL_ARG_WEIGHTS_LAYER], bargs[DNNL_ARG_WEIGHTS_LAYER]);
                wi_to_bwd.execute(strm, fargs[DNNL_ARG_WEIGHTS_ITER], bargs[DNNL_ARG_WEIGHTS_ITER]);
            }
            // oneDNN accumulates into the weight gradients.
            zero(bargs[DNNL_ARG_DIFF_WEIGHTS_LAYER]);
            zero(bargs[DNNL_ARG_DIFF_WEIGHTS_ITER]);
            zero(bargs[DNNL_ARG_DIFF_BIAS]);
            fwd.execute(strm, fargs);
            bwd.execute(strm, bargs);
        } else {
            fwd.execute(strm, fargs);
        }
        strm.wait();
    }

    // PyTorch layout (weight_ih [G·H, D], weight_hh [G·H, H], bias_ih, bias_hh [G·H]) -> oneDNN's gates and layouts.
    void set_pytorch(const std::vector<float> &w_ih, const std::vector<float> &w_hh, const std::vector<float> &b_ih,
            const std::vector<float> &b_hh, const std::vector<float> &x_btd) {
        float *wl = ptr(user_wl), *wi = ptr(user_wi), *b = ptr(user_b);
        for (int g = 0; g < G; g++)
            for (int o = 0; o < H; o++) {
                int row = perm[g] * H + o;
                for (int i = 0; i < D; i++) wl[((size_t)i * G + g) * H + o] = w_ih[(size_t)row * D + i];
                for (int i = 0; i < H; i++) wi[((size_t)i * G + g) * H + o] = w_hh[(size_t)row * H + i];
                b[(size_t)g * H + o] = b_ih[row] + b_hh[row];
            }
        if (cell == "gru") // lbr_gru: the candidate's biases stay apart, o = b_in and o' = b_hn
            for (int o = 0; o < H; o++) {
                b[2 * H + o] = b_ih[2 * H + o];
                b[3 * H + o] = b_hh[2 * H + o];
            }
        upload_weights();
        float *x = ptr(fargs[DNNL_ARG_SRC_LAYER]);
        for (int bb = 0; bb < B; bb++)
            for (int t = 0; t < T; t++)
                for (int d = 0; d < D; d++) x[((size_t)t * B + bb) * D + d] = x_btd[((size_t)bb * T + t) * D + d];
    }
};

std::string key_of(const std::string &cell, int B, int T, int D, int H, bool train) {
    std::ostringstream s;
    s << cell << ' ' << B << ' ' << T << ' ' << D << ' ' << H << ' ' << (train ? "fb" : "f");
    return s.str();
}

struct Server {
    engine eng{engine::kind::cpu, 0};
    std::map<std::string, std::unique_ptr<Net>> cache;

    Net &get(const std::string &cell, int B, int T, int D, int H, bool train) {
        auto k = key_of(cell, B, T, D, H, train);
        auto it = cache.find(k);
        if (it != cache.end()) return *it->second;
        return *(cache[k] = std::make_unique<Net>(cell, B, T, D, H, train, eng));
    }

    std::string time(Net &net, double budget) {
        if (!net.warmed) { // like the other servers: at least 5 iterations and 1.5 s before the first timing
            double t0 = now_ms();
            for (int i = 0; i < 5 || now_ms() - t0 < 1500; i++) net.run();
            net.warmed = true;
        }
        std::vector<double> times;
        double t0 = now_ms(), c0 = cpu_ms();
        while (times.size() < 3 || (times.size() < 200 && now_ms() - t0 < budget)) {
            double s = now_ms();
            net.run();
            times.push_back(now_ms() - s);
        }
        double cpu = (cpu_ms() - c0) / times.size();
        std::sort(times.begin(), times.end());
        size_t n = times.size();
        double med = n % 2 ? times[n / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
        char buf[128];
        std::snprintf(buf, sizeof buf, "%.4f 0 %zu %.4f", med, n, cpu);
        return buf;
    }

    std::string check(const std::string &cell, int B, int T, int D, int H, const std::string &dir) {
        Net &tr = get(cell, B, T, D, H, true);
        Net &inf = get(cell, B, T, D, H, false);
        int G = tr.G;
        size_t gh = (size_t)G * H;
        auto x = load(dir, "x", (size_t)B * T * D), w_ih = load(dir, "w_ih", gh * D), w_hh = load(dir, "w_hh", gh * H),
             b_ih = load(dir, "b_ih", gh), b_hh = load(dir, "b_hh", gh), y = load(dir, "y", (size_t)B * T * H),
             h_t = load(dir, "h_t", (size_t)B * H), dx = load(dir, "dx", (size_t)B * T * D), dw_ih = load(dir, "dw_ih", gh * D),
             dw_hh = load(dir, "dw_hh", gh * H), db_ih = load(dir, "db_ih", gh), db_hh = load(dir, "db_hh", gh);
        tr.set_pytorch(w_ih, w_hh, b_ih, b_hh, x);
        inf.set_pytorch(w_ih, w_hh, b_ih, b_hh, x);
        tr.run();
        tr.run(); // twice: the gradients must not accumulate across iterations
        inf.run();

        // [T, B, C] (tnc) against our [B, T, C].
        auto diff_tnc = [&](const memory &m, const std::vector<float> &ref, int C, bool rel) {
            const float *p = ptr(m);
            double d = 0, mx = 0;
            for (int b = 0; b < B; b++)
                for (int t = 0; t < T; t++)
                    for (int c = 0; c < C; c++) {
                        float r = ref[((size_t)b * T + t) * C + c];
                        upd(d, std::fabs(p[((size_t)t * B + b) * C + c] - r));
                        mx = std::max(mx, (double)std::fabs(r));
                    }
            return rel ? d / std::max(mx, 1e-30) : d;
        };
        double e_y = diff_tnc(tr.fargs[DNNL_ARG_DST_LAYER], y, H, false);
        double e_yi = diff_tnc(inf.fargs[DNNL_ARG_DST_LAYER], y, H, false);
        double e_h = 0;
        for (size_t i = 0; i < (size_t)B * H; i++) upd(e_h, std::fabs(ptr(tr.fargs[DNNL_ARG_DST_ITER])[i] - h_t[i]));
        double e_dx = diff_tnc(tr.bargs[DNNL_ARG_DIFF_SRC_LAYER], dx, D, true);

        // Weight gradients: oneDNN's layout -> ldigo -> against PyTorch's [G·H, I] with the gate permutation.
        auto diff_w = [&](int arg, int I, const std::vector<float> &ref) {
            memory plain({{1, 1, I, G, H}, dt::f32, tag::ldigo}, eng);
            reorder(tr.bargs[arg], plain).execute(tr.strm, tr.bargs[arg], plain);
            tr.strm.wait();
            const float *p = ptr(plain);
            double d = 0, mx = 0;
            for (int i = 0; i < I; i++)
                for (int g = 0; g < G; g++)
                    for (int o = 0; o < H; o++) {
                        float r = ref[((size_t)tr.perm[g] * H + o) * I + i];
                        upd(d, std::fabs(p[((size_t)i * G + g) * H + o] - r));
                        mx = std::max(mx, (double)std::fabs(r));
                    }
            return d / std::max(mx, 1e-30);
        };
        double e_wl = diff_w(DNNL_ARG_DIFF_WEIGHTS_LAYER, D, dw_ih);
        double e_wi = diff_w(DNNL_ARG_DIFF_WEIGHTS_ITER, H, dw_hh);
        double e_b = 0, mb = 0;
        {
            memory plain({{1, 1, tr.GB, H}, dt::f32, tag::ldgo}, eng);
            reorder(tr.bargs[DNNL_ARG_DIFF_BIAS], plain).execute(tr.strm, tr.bargs[DNNL_ARG_DIFF_BIAS], plain);
            tr.strm.wait();
            const float *p = ptr(plain);
            for (int g = 0; g < tr.GB; g++)
                for (int o = 0; o < H; o++) {
                    // the gradient of a merged bias is that of either PyTorch bias; lbr_gru's 4th block is b_hn's
                    float r = g < G ? db_ih[(size_t)tr.perm[g] * H + o] : db_hh[2 * (size_t)H + o];
                    upd(e_b, std::fabs(p[(size_t)g * H + o] - r));
                    mb = std::max(mb, (double)std::fabs(r));
                }
            e_b /= std::max(mb, 1e-30);
        }
        char buf[256];
        std::snprintf(buf, sizeof buf, "y %.3g y_inf %.3g h_t %.3g dx %.3g dw_ih %.3g dw_hh %.3g db %.3g", e_y, e_yi, e_h, e_dx, e_wl,
                e_wi, e_b);
        return buf;
    }

    std::string formats(const std::string &cell, int B, int T, int D, int H) {
        Net &tr = get(cell, B, T, D, H, true);
        Net &inf = get(cell, B, T, D, H, false);
        std::string s = "forward_inference weights_layer " + layout(inf.fwd_pd.query_md(query::exec_arg_md, DNNL_ARG_WEIGHTS_LAYER), "ldigo")
                + ", forward_training weights_layer " + layout(tr.fwd_pd.query_md(query::exec_arg_md, DNNL_ARG_WEIGHTS_LAYER), "ldigo")
                + ", backward weights_layer " + layout(tr.bwd_pd.query_md(query::exec_arg_md, DNNL_ARG_WEIGHTS_LAYER), "ldigo")
                + ", diff_weights_layer " + layout(tr.bwd_pd.query_md(query::exec_arg_md, DNNL_ARG_DIFF_WEIGHTS_LAYER), "ldigo")
                + "; backward reorders weights each iteration: " + (tr.bwd_weights_shared ? "no" : "yes");
        return s;
    }
};

std::string info(int threads) {
    const dnnl_version_t *v = dnnl_version();
    std::ostringstream s;
    s << "oneDNN " << v->major << '.' << v->minor << '.' << v->patch << " (" << (v->hash ? v->hash : "?") << "), CPU runtime "
      << dnnl_runtime2str(v->cpu_runtime) << ", ISA " << dnnl_cpu_isa2str(static_cast<dnnl_cpu_isa_t>(get_effective_cpu_isa()))
      << ", " << threads << " thread(s) (omp_get_max_threads " << omp_get_max_threads() << ")";
    return s.str();
}

} // namespace

int main(int argc, char **argv) {
    int threads = 1;
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        if (a == "--threads" && i + 1 < argc) threads = std::atoi(argv[++i]);
        else {
            std::cerr << "usage: rnn_server [--threads N]\n";
            return 2;
        }
    }
    // Debian's libdnnl2 is built with OpenMP: the thread count is OpenMP's.
    omp_set_num_threads(threads);
    Server server;
    std::string line;
    while (std::getline(std::cin, line)) {
        std::istringstream in(line);
        std::vector<std::string> p;
        for (std::string w; in >> w;) p.push_back(w);
        if (p.empty()) continue;
        if (p[0] == "quit") break;
        std::string out;
        try {
            if (p[0] == "info") out = info(threads);
            else if (p[0] == "check" && p.size() == 7)
                out = server.check(p[1], std::stoi(p[2]), std::stoi(p[3]), std::stoi(p[4]), std::stoi(p[5]), p[6]);
            else if (p[0] == "formats" && p.size() == 6)
                out = server.formats(p[1], std::stoi(p[2]), std::stoi(p[3]), std::stoi(p[4]), std::stoi(p[5]));
            else if (p.size() == 7 && (p[5] == "fb" || p[5] == "f")) {
                Net &net = server.get(p[0], std::stoi(p[1]), std::stoi(p[2]), std::stoi(p[3]), std::stoi(p[4]), p[5] == "fb");
                out = server.time(net, std::stod(p[6]));
            } else
                out = "error unknown request: " + line;
        } catch (const dnnl::error &e) {
            out = std::string("error dnnl: ") + e.what() + " (" + dnnl_status2str(e.status) + ")";
        } catch (const std::exception &e) {
            out = std::string("error ") + e.what();
        }
        for (auto &ch : out)
            if (ch == '\n') ch = ' ';
        std::cout << out << std::endl;
    }
    return 0;
}
