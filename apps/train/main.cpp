// train: data-parallel training of softmax regression or a multilayer perceptron on a
// labelled HDF5 data set (images x pixels, integer labels), or evaluation of a trained model.
// Reads options, builds the trainer from src/learn, runs the steps with checkpoints, progress
// and a history of every epoch, verifies that the loss fell and the accuracy reached its
// target, and writes the model and a run record.
#include "tessera/base/error.hpp"
#include "tessera/comm/agreement.hpp"
#include "tessera/comm/collectives.hpp"
#include "tessera/comm/global_sum.hpp"
#include "tessera/domain/digest.hpp"
#include "tessera/io/dataset_reader.hpp"
#include "tessera/io/output_file.hpp"
#include "tessera/kernels/dense_layers.hpp"
#include "tessera/kernels/threads.hpp"
#include "tessera/learn/labelled_rows.hpp"
#include "tessera/learn/model_file.hpp"
#include "tessera/learn/trainer.hpp"
#include "tessera/run/app_options.hpp"
#include "tessera/run/config_hash.hpp"
#include "tessera/run/main_guard.hpp"
#include "tessera/run/step_driver.hpp"

#include <mpi.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>

namespace {

using namespace tessera;

struct TrainOptions {
  std::string train;
  std::string train_labels;
  std::string test;
  std::string test_labels;
  std::string evaluate;
  std::string model = "softmax";
  std::string hidden;
  std::int64_t classes = 0;
  double input_scale = 0;
  std::string optimizer = "adam";
  std::optional<double> lr;
  double momentum = 0.9;
  double weight_decay = 0;
  std::string schedule = "constant";
  std::int64_t warmup_steps = 0;
  std::int64_t decay_epochs = 10;
  double decay_factor = 0.1;
  std::int64_t batch = 256;
  std::int64_t micro_batch = 32;
  std::int64_t epochs = 5;
  std::uint64_t seed = 1;
  std::string precision = "float32";
  double target_accuracy = 0;
};

// A dataset's labels: the explicit option, else the dataset's "labels" attribute (written by
// tessera-import and tessera-data beside the samples).
DatasetRef labels_of(const Communicator& world, const DatasetRef& images, const std::string& given,
                     const std::string& option) {
  if (!given.empty()) return parse_dataset_ref(given, option);
  if (auto named = named_labels(world, images)) return *named;
  throw UsageError(images.text() + " names no labels (no 'labels' attribute); give " + option + " FILE.h5:/labels", true);
}

std::string percent(double fraction) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f%%", 100.0 * fraction);
  return text;
}

std::string confusion_text(const Evaluation& e, std::int64_t classes) {
  std::ostringstream out;
  out << "confusion matrix (rows: true class, columns: predicted)\n     ";
  for (std::int64_t c = 0; c < classes; ++c) out << std::setw(7) << c;
  for (std::int64_t r = 0; r < classes; ++r) {
    out << "\n" << std::setw(4) << r << " ";
    for (std::int64_t c = 0; c < classes; ++c) out << std::setw(7) << e.confusion[static_cast<std::size_t>(r * classes + c)];
  }
  return out.str();
}

// history.jsonl: one line per finished epoch. A resumed run keeps the lines up to its restart
// step and continues after them, so the file reads as one run.
class History {
 public:
  History(const Communicator& comm, std::filesystem::path path, std::int64_t keep_up_to_step, bool resumed)
      : comm_(comm), path_(std::move(path)) {
    if (!comm_.is_root()) return;
    std::string kept;
    if (resumed) {
      std::ifstream in(path_);
      std::string line;
      while (std::getline(in, line)) {
        const auto entry = nlohmann::json::parse(line, nullptr, false);
        if (!entry.is_discarded() && entry.contains("step") && entry["step"].get<std::int64_t>() <= keep_up_to_step) {
          kept += line + "\n";
        }
      }
    }
    write_text_atomically(path_, kept);
  }
  void append(const nlohmann::json& entry) const {
    if (!comm_.is_root()) return;
    std::ofstream out(path_, std::ios::app);
    out << entry.dump() << "\n";
    if (!out) throw RuntimeError("cannot append to " + path_.string() + ": " + std::strerror(errno));
  }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  const Communicator& comm_;
  std::filesystem::path path_;
};

struct DataRefs {
  DatasetInfo train;
  DatasetInfo train_labels;
  std::optional<DatasetInfo> test;
  std::optional<DatasetInfo> test_labels;
};

template <class T>
ExitCode run(const Communicator& world, const CommonOptions& common, const TrainOptions& o, const DataRefs& refs,
             const TrainConfig& config, ModelKind kind, const std::vector<std::int64_t>& hidden) {
  RunSession session(world, common, "train");
  PhaseTimers& timers = session.timers();
  const double scale = o.input_scale > 0 ? o.input_scale : default_input_scale(refs.train);
  LabelledRows<T> train;
  std::optional<LabelledRows<T>> test;
  {
    auto t = timers.measure(Phase::io);
    train = read_labelled_rows<T>(world, refs.train, refs.train_labels, scale, "--train");
    if (refs.test) {
      if (refs.test->columns() != refs.train.columns()) {
        throw UsageError("--test " + refs.test->ref.text() + " has " + std::to_string(refs.test->columns()) +
                             " values per sample but --train " + refs.train.ref.text() + " has " +
                             std::to_string(refs.train.columns()) + "; give a test set of the same kind of samples",
                         true);
      }
      test = read_labelled_rows<T>(world, *refs.test, *refs.test_labels, scale, "--test");
    }
  }
  const std::int32_t largest = largest_label(world, train);
  const std::int64_t classes = o.classes > 0 ? o.classes : largest + 1;
  if (o.classes == 1) throw UsageError("--classes 1: a classifier needs at least 2 classes", true);
  if (classes < 2) {
    throw UsageError("--train-labels " + refs.train_labels.ref.text() + " holds only class 0: a classifier needs at "
                     "least 2 classes (check the labels, or give --classes)", true);
  }
  const std::string classes_fix = o.classes > 0 ? "raise --classes or fix the labels"
                                                : "give --classes to count classes the training set lacks";
  require_labels_below(world, train, static_cast<std::int32_t>(classes), refs.train_labels.ref.text(), classes_fix);
  if (test) require_labels_below(world, *test, static_cast<std::int32_t>(classes), refs.test_labels->ref.text(), classes_fix);

  std::optional<ModelSpec> made;
  collective_check(world, [&] { made.emplace(kind, train.columns, hidden, classes); });
  const ModelSpec& spec = *made;
  Trainer<T> trainer(world, spec, config, train);
  const BatchPlan& plan = trainer.plan();
  const std::int64_t total = trainer.total_steps();

  // What defines the weights: data, model, optimizer, order and arithmetic. --epochs only says
  // when to stop, except that a cosine schedule runs to the last step.
  ConfigHash hash;
  hash.add("train", refs.train.ref.text())
      .add("shape", shape_string(refs.train.shape))
      .add("model", spec.describe())
      .add("scale", scale)
      .add("optimizer", std::string(optimizer_kind_name(config.optimizer.kind)))
      .add("lr", config.optimizer.lr)
      .add("momentum", config.optimizer.momentum)
      .add("weight_decay", config.optimizer.weight_decay)
      .add("schedule", std::string(schedule_name(config.optimizer.schedule)))
      .add("warmup", config.optimizer.warmup_steps)
      .add("decay", std::to_string(config.optimizer.decay_epochs) + "x" + std::to_string(config.optimizer.decay_factor))
      .add("batch", config.batch)
      .add("micro_batch", config.micro_batch)
      .add("seed", static_cast<std::int64_t>(config.seed))
      .add("precision", o.precision)
      .add("sums", std::string(sum_mode_name(config.sum_mode)));
  if (config.optimizer.schedule == Schedule::cosine) hash.add("epochs", config.epochs);
  RunIdentity identity{"train", hash.value(), {world.size()}, hash.text()};
  identity.total_option = "--epochs";
  StepDriver driver(session, identity, total);
  driver.say("[train] " + spec.describe() + " on " + refs.train.ref.text() + " (" + std::to_string(train.rows()) +
             " samples" + (test ? ", test " + std::to_string(test->rows()) : std::string()) + "), " +
             optimizer_kind_name(config.optimizer.kind) + " lr " + std::to_string(config.optimizer.lr) + ", batch " +
             std::to_string(config.batch) + " (micro-batches of " + std::to_string(config.micro_batch) + "), " +
             std::to_string(config.epochs) + " epochs = " + std::to_string(total) + " steps, " + o.precision + ", " +
             sum_mode_name(config.sum_mode) + " sums, " + std::to_string(world.size()) + " ranks x " +
             std::to_string(kernels::max_threads()) + " threads");

  trainer.initialise();
  auto state = trainer.state();
  const StepDriver::Start start = driver.begin(state);
  double epoch_loss = 0;
  std::int64_t epoch_correct = 0;
  std::int64_t epoch_seen = 0;
  double first_loss = std::numeric_limits<double>::quiet_NaN();  // mean loss of the first step
  double last_epoch_loss = std::numeric_limits<double>::quiet_NaN();
  if (start.checkpoint) {
    const CheckpointMeta& meta = *start.checkpoint;
    epoch_loss = meta.scalars.count("epoch_loss") ? meta.scalars.at("epoch_loss") : 0.0;
    first_loss = meta.scalars.count("first_loss") ? meta.scalars.at("first_loss") : first_loss;
    last_epoch_loss = meta.scalars.count("last_epoch_loss") ? meta.scalars.at("last_epoch_loss") : last_epoch_loss;
    epoch_correct = meta.integers.count("epoch_correct") ? meta.integers.at("epoch_correct") : 0;
    epoch_seen = meta.integers.count("epoch_seen") ? meta.integers.at("epoch_seen") : 0;
  }
  const History history(world, std::filesystem::path(common.output) / "history.jsonl", start.step,
                        start.checkpoint.has_value());

  world.barrier();
  const double loop_start = MPI_Wtime();
  const double io_before = timers.seconds(Phase::io);
  double epoch_start = loop_start;
  std::int64_t epoch_first_step = start.step;
  std::int64_t epoch_samples_run = 0;  // samples this run processed in the current epoch
  std::int64_t samples_run = 0;
  bool stopped = false;
  std::int64_t step = start.step;
  std::optional<Evaluation> last_test;
  while (step < total && !stopped) {
    StepResult r;
    {
      auto t = timers.measure(Phase::compute);
      r = trainer.step(step);
    }
    if (step == 0) first_loss = r.loss_sum / static_cast<double>(r.samples);
    epoch_loss += r.loss_sum;
    epoch_correct += r.correct;
    epoch_seen += r.samples;
    epoch_samples_run += r.samples;
    samples_run += r.samples;
    ++step;
    const bool epoch_end = step % plan.steps_per_epoch() == 0;
    if (epoch_end) {
      const std::int64_t epoch = step / plan.steps_per_epoch();
      const double seconds = allreduce_max(world, MPI_Wtime() - epoch_start);
      const double samples_per_s = static_cast<double>(epoch_samples_run) / seconds;
      last_epoch_loss = epoch_loss / static_cast<double>(epoch_seen);
      nlohmann::json entry{{"epoch", epoch},
                           {"step", step},
                           {"loss", last_epoch_loss},
                           {"train_accuracy", static_cast<double>(epoch_correct) / static_cast<double>(epoch_seen)},
                           {"lr", r.lr},
                           {"seconds", seconds},
                           {"samples_per_s", samples_per_s}};
      std::string line = "[train] epoch " + std::to_string(epoch) + "/" + std::to_string(config.epochs) + ": loss " +
                         std::to_string(last_epoch_loss) + ", train accuracy " +
                         percent(static_cast<double>(epoch_correct) / static_cast<double>(epoch_seen));
      if (test) {
        auto t = timers.measure(Phase::reduce);
        last_test = trainer.evaluate(*test);
        entry["test_loss"] = last_test->loss();
        entry["test_accuracy"] = last_test->accuracy();
        line += ", test loss " + std::to_string(last_test->loss()) + ", test accuracy " + percent(last_test->accuracy());
      }
      char rate[160];
      const double eta = seconds * static_cast<double>(config.epochs - epoch) *
                         (static_cast<double>(plan.steps_per_epoch()) / static_cast<double>(step - epoch_first_step));
      std::snprintf(rate, sizeof rate, ", %.0f samples/s, %.1f s, ETA %.0f s", samples_per_s, seconds, eta);
      driver.say(line + rate);
      history.append(entry);
      epoch_loss = 0;
      epoch_correct = 0;
      epoch_seen = 0;
      epoch_start = MPI_Wtime();
      epoch_first_step = step;
      epoch_samples_run = 0;
    }
    char detail[96];
    std::snprintf(detail, sizeof detail, "loss %.5f", r.loss_sum / static_cast<double>(r.samples));
    stopped = driver.end_step(step, 0.0, state,
                              {{"epoch_loss", epoch_loss}, {"first_loss", first_loss}, {"last_epoch_loss", last_epoch_loss}},
                              detail, {{"epoch_correct", epoch_correct}, {"epoch_seen", epoch_seen}}) ==
              StepDriver::Next::stop;
  }
  const double loop_local = MPI_Wtime() - loop_start;
  const double loop_seconds = allreduce_max(world, loop_local);
  const double step_seconds = allreduce_max(world, loop_local - (timers.seconds(Phase::io) - io_before));
  if (stopped) return ExitCode::interrupted;

  // Verification: the loss fell, and the accuracy (test set, else training set) reached its target.
  Evaluation final_train;
  {
    auto t = timers.measure(Phase::reduce);
    final_train = trainer.evaluate(train);
    if (test && !last_test) last_test = trainer.evaluate(*test);
  }
  const Evaluation& judged = test ? *last_test : final_train;
  const double final_loss = std::isfinite(last_epoch_loss) ? last_epoch_loss : final_train.loss();
  const bool loss_fell = final_loss < first_loss;
  const bool accurate = judged.accuracy() >= o.target_accuracy;
  const bool passed = loss_fell && accurate;
  const std::uint64_t digest = state_digest(world, trainer.state());
  const std::int64_t steps_run = step - start.step;
  const double samples_per_s = step_seconds > 0 ? static_cast<double>(samples_run) / step_seconds : 0.0;
  char summary[1024];
  std::snprintf(summary, sizeof summary,
                "[train] %s: loss %.6f -> %.6f (%s), %s accuracy %s (target %s), train accuracy %s\n"
                "[train] %lld steps in %.3f s (max over ranks; %.3f s without I/O): %.0f samples/s; weights digest %s",
                passed ? "PASS" : "FAIL", first_loss, final_loss, loss_fell ? "fell" : "did NOT fall",
                test ? "test" : "training", percent(judged.accuracy()).c_str(), percent(o.target_accuracy).c_str(),
                percent(final_train.accuracy()).c_str(), static_cast<long long>(steps_run), loop_seconds, step_seconds,
                samples_per_s, digest_hex(digest).c_str());
  driver.say(summary);
  if (test) driver.session().progress("[train] " + confusion_text(*last_test, classes));

  std::filesystem::path model_path;
  {
    auto t = timers.measure(Phase::io);
    OutputAttributes attributes = driver.session().provenance();
    attributes.text["train"] = refs.train.ref.text();
    attributes.text["optimizer"] = optimizer_kind_name(config.optimizer.kind);
    attributes.integers["epochs"] = config.epochs;
    attributes.integers["steps"] = step;
    attributes.integers["batch"] = config.batch;
    attributes.integers["seed"] = static_cast<std::int64_t>(config.seed);
    attributes.reals["test_accuracy"] = test ? last_test->accuracy() : std::nan("");
    attributes.reals["train_accuracy"] = final_train.accuracy();
    model_path = write_model<T>(world, std::filesystem::path(common.output) / "model.h5", spec, trainer.parameters(),
                                scale, attributes);
  }
  driver.say("[train] model: " + model_path.string() + "; history: " + history.path().string());

  nlohmann::json record = driver.run_record({train.rows(), step, start.step, start.checkpoint.has_value(),
                                              loop_seconds, step_seconds});
  record["problem"] = {{"train", refs.train.ref.text()},
                       {"test", refs.test ? refs.test->ref.text() : ""},
                       {"samples", train.rows()},
                       {"features", train.columns},
                       {"classes", classes},
                       {"model", spec.describe()},
                       {"parameters", spec.parameters()},
                       {"optimizer", optimizer_kind_name(config.optimizer.kind)},
                       {"lr", config.optimizer.lr},
                       {"batch", config.batch},
                       {"micro_batch", config.micro_batch},
                       {"epochs", config.epochs},
                       {"seed", config.seed},
                       {"precision", o.precision},
                       {"sums", sum_mode_name(config.sum_mode)},
                       {"blas", kernels::blas_library()}};
  // Multiply-adds per sample: forward x 1, backward x 2 (weights and inputs).
  double flops_per_sample = 0;
  for (const LayerShape& layer : spec.layers()) flops_per_sample += 6.0 * static_cast<double>(layer.in * layer.out);
  record["metrics"] = {{"samples_per_s", samples_per_s},
                       {"cell_updates_per_s", samples_per_s},
                       {"gflops", samples_per_s * flops_per_sample / 1e9},
                       {"seconds_per_step", steps_run > 0 ? step_seconds / static_cast<double>(steps_run) : 0.0},
                       {"final_loss", final_loss},
                       {"train_accuracy", final_train.accuracy()},
                       {"test_accuracy", test ? nlohmann::json(last_test->accuracy()) : nlohmann::json(nullptr)}};
  record["verified"] = passed;
  record["state_digest"] = digest_hex(digest);
  driver.finish(record);
  return passed ? ExitCode::success : ExitCode::verification_failed;
}

// train --evaluate MODEL.h5 --test ...: accuracy and confusion matrix of a saved model.
template <class T>
ExitCode evaluate(const Communicator& world, const TrainOptions& o, const DataRefs& refs, LoadedModel model) {
  if (!refs.test) throw UsageError("--evaluate needs --test FILE.h5:/images (and --test-labels unless named)", true);
  if (refs.test->columns() != model.spec.inputs()) {
    throw UsageError("--test " + refs.test->ref.text() + " has " + std::to_string(refs.test->columns()) +
                         " values per sample but the model takes " + std::to_string(model.spec.inputs()) +
                         "; give a test set of the kind the model was trained on",
                     true);
  }
  const double scale = o.input_scale > 0 ? o.input_scale : model.input_scale;
  const LabelledRows<T> test = read_labelled_rows<T>(world, *refs.test, *refs.test_labels, scale, "--test");
  require_labels_below(world, test, static_cast<std::int32_t>(model.spec.classes()), refs.test_labels->ref.text(),
                       "the model knows " + std::to_string(model.spec.classes()) + " classes");
  std::vector<T> parameters(model.parameters.begin(), model.parameters.end());
  const Evaluation e = evaluate_model<T>(world, model.spec, parameters, test, o.micro_batch, kernels::SumMode::reproducible);
  const bool passed = e.accuracy() >= o.target_accuracy;
  if (world.is_root()) {
    std::cout << "[train] evaluate " << o.evaluate << " (" << model.spec.describe() << ", " << model.precision
              << ") on " << refs.test->ref.text() << ": accuracy " << percent(e.accuracy()) << " (" << e.correct << " of "
              << e.samples << "), loss " << e.loss() << "\n"
              << confusion_text(e, model.spec.classes()) << "\n[train] " << (passed ? "PASS" : "FAIL") << ": accuracy "
              << percent(e.accuracy()) << (passed ? " >= " : " < ") << "target " << percent(o.target_accuracy)
              << std::endl;
  }
  return passed ? ExitCode::success : ExitCode::verification_failed;
}

ExitCode train_main(const Communicator& world, int argc, char** argv) {
  AppOptions options("train", "Data-parallel training of softmax regression or a multilayer perceptron on a labelled "
                              "HDF5 data set, with gradient allreduce; bitwise reproducible on any rank and thread "
                              "count with --reproducible, restartable on any rank count. Verifies that the loss falls "
                              "and the accuracy reaches --target-accuracy.");
  TrainOptions o;
  auto& cli = options.cli();
  cli.add_option("--train", o.train, "Training samples: FILE.h5:/images (rows x features, or rows x height x width)")
      ->group("Data");
  cli.add_option("--train-labels", o.train_labels, "FILE.h5:/labels (integers 0..classes-1); default: the "
                                                   "'labels' attribute of --train")
      ->group("Data");
  cli.add_option("--test", o.test, "Test samples: FILE.h5:/images, evaluated after every epoch")->group("Data");
  cli.add_option("--test-labels", o.test_labels, "FILE.h5:/labels of --test; default: its 'labels' attribute")
      ->group("Data");
  cli.add_option("--input-scale", o.input_scale, "Multiply every input value by this (default: 1/255 for uint8 "
                                                 "pixels, else 1)")
      ->check(non_negative_number())
      ->group("Data");
  cli.add_option("--evaluate", o.evaluate, "Evaluate a saved MODEL.h5 on --test (accuracy, confusion matrix) "
                                           "instead of training")
      ->group("Data");
  cli.add_option("--model", o.model, "softmax (softmax regression) or mlp (dense ReLU layers, see --hidden)")
      ->group("Model");
  cli.add_option("--hidden", o.hidden, "Hidden layer sizes of an mlp, e.g. 128 or 256,128")->group("Model");
  cli.add_option("--classes", o.classes, "Number of classes (default: the largest training label + 1)")
      ->check(positive_number())
      ->group("Model");
  cli.add_option("--optimizer", o.optimizer, "sgd (with --momentum) or adam")->group("Optimizer");
  cli.add_option("--lr", o.lr, "Learning rate (default: 0.001 for adam, 0.05 for sgd)")
      ->check(positive_number())
      ->group("Optimizer");
  cli.add_option("--momentum", o.momentum, "sgd momentum (0 = plain sgd)")->check(CLI::Range(0.0, 0.999999))->group("Optimizer");
  cli.add_option("--weight-decay", o.weight_decay, "L2 weight decay, added to the gradient")
      ->check(non_negative_number())
      ->group("Optimizer");
  cli.add_option("--schedule", o.schedule, "Learning-rate schedule: constant, cosine (to 0 at the last step) or step")
      ->group("Optimizer");
  cli.add_option("--warmup-steps", o.warmup_steps, "Linear warm-up of the learning rate over this many steps")
      ->check(non_negative_number())
      ->group("Optimizer");
  cli.add_option("--decay-epochs", o.decay_epochs, "step schedule: multiply the rate by --decay-factor every this "
                                                   "many epochs")
      ->check(positive_number())
      ->group("Optimizer");
  cli.add_option("--decay-factor", o.decay_factor, "step schedule: the factor")->check(CLI::Range(0.0, 1.0))->group("Optimizer");
  cli.add_option("--batch", o.batch, "Global batch: samples per step over all ranks")->group("Training");
  cli.add_option("--micro-batch", o.micro_batch, "Samples per micro-batch (the unit of work of a thread, independent "
                                                 "of the rank count)")
      ->group("Training");
  cli.add_option("--epochs", o.epochs, "Passes over the training set")->check(positive_number())->group("Training");
  cli.add_option("--seed", o.seed, "Seed of the initial weights and of every epoch's order")
      ->check(non_negative_number())
      ->group("Training");
  cli.add_option("--precision", o.precision, "Arithmetic of the model: float32 or float64")
      ->check(CLI::IsMember({"float32", "float64"}))
      ->group("Training");
  cli.add_option("--target-accuracy", o.target_accuracy, "PASS needs at least this test accuracy (training accuracy "
                                                         "without --test), 0 to 1")
      ->check(CLI::Range(0.0, 1.0))
      ->group("Training");
  if (!options.parse(world, argc, argv)) return ExitCode::success;
  const CommonOptions& common = options.common();

  DataRefs refs;
  TrainConfig config;
  ModelKind kind = ModelKind::softmax;
  std::vector<std::int64_t> hidden;
  collective_check(world, [&] {
    if (o.evaluate.empty() && o.train.empty()) {
      throw UsageError("--train FILE.h5:/images is required (or --evaluate MODEL.h5 with --test to evaluate a model)");
    }
    kind = parse_model_kind(o.model);
    hidden = parse_hidden_sizes(o.hidden, "--hidden");
    if (o.batch < 1) throw UsageError("--batch " + std::to_string(o.batch) + ": the global batch needs at least 1 sample");
    if (o.micro_batch < 1) {
      throw UsageError("--micro-batch " + std::to_string(o.micro_batch) + ": a micro-batch needs at least 1 sample");
    }
    config.batch = o.batch;
    config.micro_batch = o.micro_batch;
    config.epochs = o.epochs;
    config.seed = o.seed;
    config.sum_mode = common.sum_mode();
    config.optimizer.kind = parse_optimizer_kind(o.optimizer);
    config.optimizer.lr = o.lr ? *o.lr : (config.optimizer.kind == OptimizerKind::adam ? 1e-3 : 0.05);
    config.optimizer.momentum = o.momentum;
    config.optimizer.weight_decay = o.weight_decay;
    config.optimizer.schedule = parse_schedule(o.schedule);
    config.optimizer.warmup_steps = o.warmup_steps;
    config.optimizer.decay_epochs = o.decay_epochs;
    config.optimizer.decay_factor = o.decay_factor;
  });
  if (!o.test.empty()) {
    refs.test = describe_dataset(world, parse_dataset_ref(o.test, "--test"));
    refs.test_labels = describe_dataset(world, labels_of(world, refs.test->ref, o.test_labels, "--test-labels"));
  }
  if (!o.evaluate.empty()) {
    if (!refs.test) throw UsageError("--evaluate needs --test FILE.h5:/images (and --test-labels unless named)", true);
    LoadedModel model = read_model(world, o.evaluate);
    return model.precision == "float64" ? evaluate<double>(world, o, refs, std::move(model))
                                        : evaluate<float>(world, o, refs, std::move(model));
  }
  refs.train = describe_dataset(world, parse_dataset_ref(o.train, "--train"));
  refs.train_labels = describe_dataset(world, labels_of(world, refs.train.ref, o.train_labels, "--train-labels"));
  return o.precision == "float64" ? run<double>(world, common, o, refs, config, kind, hidden)
                                  : run<float>(world, common, o, refs, config, kind, hidden);
}

}  // namespace

int main(int argc, char** argv) {
  return tessera::run_main(argc, argv, train_main, tessera::StopSignals::checkpoint_and_exit);
}
