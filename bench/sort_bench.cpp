// sort_bench: the local sort kernel (kernels/local_sort) against std::sort, __gnu_parallel::sort
// and IPS4o on the same keys, in one run. Keys come from kernels/key_distributions (the
// generator behind `tessera-data generate keys`, same seed: the same keys as the sort app
// reads). Every method sorts a fresh copy; the first run of each is an untimed warm-up, the
// best of --repeats timed runs is reported, and every result is checked against the first
// method's. Prints one table row per (type, distribution, threads, method) with the time,
// keys/s and the ratio to __gnu_parallel::sort.
//
//   sort_bench [--n 100000000] [--repeats 2] [--threads 1,2] [--types int64,float64] [--dists uniform,zipf]
#include "tessera/kernels/key_distributions.hpp"
#include "tessera/kernels/local_sort.hpp"

#include <omp.h>
#include <parallel/algorithm>  // libstdc++'s parallel mode (bench/CMakeLists.txt builds this with GCC only)
#if __has_include(<ips4o/ips4o.hpp>)
#include <ips4o/ips4o.hpp>
#define TESSERA_HAVE_IPS4O 1
#endif

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace {

using namespace tessera::kernels;

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    const std::size_t comma = std::min(s.find(',', start), s.size());
    if (comma > start) out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

struct Options {
  std::int64_t n = 100000000;
  int repeats = 2;
  std::vector<int> threads{1, 2};
  std::vector<std::string> types{"int64", "float64"};
  std::vector<std::string> dists{"uniform", "zipf"};
};

template <class Key>
void run(const std::string& type, const std::string& dist_name, const Options& o) {
  KeyDistribution dist = KeyDistribution::uniform;
  for (int d = 0; d < 6; ++d) {
    if (dist_name == kKeyDistributionNames[d]) dist = static_cast<KeyDistribution>(d);
  }
  std::vector<Key> input(static_cast<std::size_t>(o.n));
  generate_keys<Key>(dist, 1, 0, o.n, input);
  // Floats compare with totalOrder in every method, so all sort NaNs and -0.0 the same way.
  auto less = [](Key a, Key b) { return total_less(a, b); };
  struct Method {
    const char* name;
    std::function<void(std::vector<Key>&, int)> sort;
  };
  std::vector<Method> methods{
      {"std::sort", [&](std::vector<Key>& v, int) { std::sort(v.begin(), v.end(), less); }},
      {"__gnu_parallel::sort",
       [&](std::vector<Key>& v, int t) {
         __gnu_parallel::sort(v.begin(), v.end(), less,
                              __gnu_parallel::default_parallel_tag(static_cast<__gnu_parallel::_ThreadIndex>(t)));
       }},
#ifdef TESSERA_HAVE_IPS4O
      {"ips4o", [&](std::vector<Key>& v, int t) {
         if (t > 1) {
           ips4o::parallel::sort(v.begin(), v.end(), less, t);
         } else {
           ips4o::sort(v.begin(), v.end(), less);
         }
       }},
#endif
      {"tessera local_sort", [&](std::vector<Key>& v, int) { sort_keys(std::span<Key>(v)); }},
  };
  std::vector<Key> expected;
  std::vector<Key> work(input.size());
  for (const int threads : o.threads) {
    omp_set_num_threads(threads);
    std::vector<double> seconds_of;
    double gnu = 0;
    for (const auto& m : methods) {
      double best = 1e300;
      for (int r = 0; r <= o.repeats; ++r) {
        std::memcpy(work.data(), input.data(), input.size() * sizeof(Key));
        const auto start = std::chrono::steady_clock::now();
        m.sort(work, threads);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (r > 0) best = std::min(best, seconds);  // run 0 is the warm-up
      }
      if (expected.empty()) expected = work;
      if (std::memcmp(expected.data(), work.data(), work.size() * sizeof(Key)) != 0) {
        std::fprintf(stderr, "sort_bench: %s gave a different order on %s %s\n", m.name, type.c_str(), dist_name.c_str());
        std::exit(1);
      }
      if (std::string(m.name) == "__gnu_parallel::sort") gnu = best;
      seconds_of.push_back(best);
    }
    for (std::size_t i = 0; i < methods.size(); ++i) {
      std::printf("%-8s %-8s %7d %-22s %9.3f %12.4g %10.2f\n", type.c_str(), dist_name.c_str(), threads, methods[i].name,
                  seconds_of[i], static_cast<double>(o.n) / seconds_of[i], gnu / seconds_of[i]);
    }
    std::fflush(stdout);
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const std::string value = argv[i + 1];
    if (key == "--n") {
      o.n = std::stoll(value);
    } else if (key == "--repeats") {
      o.repeats = std::stoi(value);
    } else if (key == "--threads") {
      o.threads.clear();
      for (const auto& t : split(value)) o.threads.push_back(std::stoi(t));
    } else if (key == "--types") {
      o.types = split(value);
    } else if (key == "--dists") {
      o.dists = split(value);
    } else {
      std::fprintf(stderr, "sort_bench: unknown option %s (--n, --repeats, --threads, --types, --dists)\n", key.c_str());
      return 2;
    }
  }
  if (argc % 2 == 0) {
    std::fprintf(stderr, "sort_bench: option %s has no value\n", argv[argc - 1]);
    return 2;
  }
  std::printf("# sort_bench: %lld keys, best of %d runs after a warm-up; ratio = __gnu_parallel::sort time / time\n",
              static_cast<long long>(o.n), o.repeats);
  std::printf("%-8s %-8s %7s %-22s %9s %12s %10s\n", "type", "dist", "threads", "method", "seconds", "keys/s", "vs gnu");
  for (const auto& type : o.types) {
    for (const auto& dist : o.dists) {
      if (type == "int64") run<std::int64_t>(type, dist, o);
      else if (type == "float64") run<double>(type, dist, o);
      else if (type == "int32") run<std::int32_t>(type, dist, o);
      else if (type == "float32") run<float>(type, dist, o);
      else if (type == "uint64") run<std::uint64_t>(type, dist, o);
      else {
        std::fprintf(stderr, "sort_bench: unknown type %s\n", type.c_str());
        return 2;
      }
    }
  }
  return 0;
}
