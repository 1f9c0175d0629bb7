// The openai and gemini providers against fake servers speaking their wire formats over real
// sockets (fake_model_servers.hpp), and the fallback to extractive without a key.

#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>

#include "botfactory/common/call_deadline.hpp"
#include "botfactory/rpc/status.hpp"
#include "chat_model_provider.hpp"
#include "extractive_provider.hpp"
#include "fake_knowledge.hpp"
#include "fake_model_servers.hpp"
#include "gemini_wire.hpp"
#include "openai_wire.hpp"
#include "provider_setup.hpp"

using namespace botfactory;
using namespace botfactory::ai;
using namespace std::chrono_literals;

namespace {

const std::string kOpenAiKey = "sk-test-0123456789";
const std::string kGeminiKey = "AIza-test-0123456789";

struct Run {
  FinalReply reply;
  std::vector<std::string> deltas;
  grpc::StatusCode code = grpc::StatusCode::OK;
  std::string message;
  std::string joined() const {
    std::string out;
    for (const auto& d : deltas) out += d;
    return out;
  }
};

struct Fixture {
  std::shared_ptr<http::Client> client = std::make_shared<http::Client>();
  std::shared_ptr<test::FakeKnowledgeSearch> search = std::make_shared<test::FakeKnowledgeSearch>();
  ChatModelSettings settings;

  Fixture() {
    search->hits = {{"c1", "d1", "Refund policy", "Refunds are paid within 14 days of the return.", 4.5},
                    {"c2", "d2", "Shipping", "Shipping takes 3 days.", 2.0}};
    settings.first_token_timeout = 800ms;
    settings.total_timeout = 4000ms;
    settings.retry.max_retries = 0;  // one try: these tests look at single failures
  }

  std::shared_ptr<ChatModelProvider> openai(const test::FakeOpenAi& fake, std::string key = kOpenAiKey) {
    auto s = settings;
    s.default_model = "gpt-4o-mini";
    s.api_key = std::move(key);
    return std::make_shared<ChatModelProvider>(std::make_shared<OpenAiWire>(fake.base_url() + "/"), client, search, s);
  }
  std::shared_ptr<ChatModelProvider> gemini(const test::FakeGemini& fake, std::string key = kGeminiKey) {
    auto s = settings;
    s.default_model = "gemini-2.0-flash";
    s.api_key = std::move(key);
    return std::make_shared<ChatModelProvider>(std::make_shared<GeminiWire>(fake.base_url()), client, search, s);
  }
};

GenerateInput question(const std::string& model = "", const std::string& language = "en") {
  GenerateInput input;
  input.tenant_id = "t";
  input.bot_id = "b";
  input.language = language;
  input.instructions = "Be brief.";
  input.model = model;
  input.history = {{Sender::kBot, "Hello! How can I help?"}, {Sender::kVisitor, "Hi"}, {Sender::kBot, "Hi there"}};
  input.user_text = "When do I get my refund?";
  return input;
}

Run run(Provider& provider, const GenerateInput& input, int stop_after = -1) {
  Run r;
  try {
    provider.generate(
        input,
        [&](std::string_view delta) {
          r.deltas.emplace_back(delta);
          return stop_after < 0 || static_cast<int>(r.deltas.size()) < stop_after;
        },
        r.reply);
  } catch (const rpc::StatusError& e) {
    r.code = e.code();
    r.message = e.what();
  } catch (const common::CallAbandoned& e) {
    r.code = e.reason() == common::CallAbandoned::Reason::kCancelled ? grpc::StatusCode::CANCELLED
                                                                     : grpc::StatusCode::DEADLINE_EXCEEDED;
    r.message = e.what();
  }
  return r;
}

}  // namespace

TEST_CASE("openai: streams the reply at odd byte boundaries, with usage and cited sources") {
  test::FakeOpenAi fake;
  Fixture f;
  auto provider = f.openai(fake);
  auto r = run(*provider, question());
  REQUIRE(r.code == grpc::StatusCode::OK);
  CHECK(r.reply.text == fake.reply);
  CHECK(r.joined() == r.reply.text);
  CHECK(r.deltas.size() > 3);
  CHECK(r.reply.provider == "openai");
  CHECK(r.reply.model == "gpt-4o-mini");
  CHECK(r.reply.answered);
  CHECK(r.reply.usage.prompt_tokens == 12);
  CHECK(r.reply.usage.completion_tokens == 5);
  REQUIRE(r.reply.sources.size() == 1);  // only [1] was cited
  CHECK(r.reply.sources[0].chunk_id == "c1");

  auto requests = fake.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].headers["authorization"] == "Bearer " + kOpenAiKey);
  auto body = boost::json::parse(requests[0].body).as_object();
  CHECK(body.at("stream").as_bool());
  CHECK(body.at("stream_options").at("include_usage").as_bool());
  CHECK(body.at("max_tokens").as_int64() == 1024);
  const auto& messages = body.at("messages").as_array();
  REQUIRE(messages.size() == 4);  // system, user "Hi", assistant "Hi there", user question
  CHECK(messages[0].at("role").as_string() == "system");
  std::string system(messages[0].at("content").as_string());
  CHECK(system.find("<knowledge>\n[1] Refund policy\nRefunds are paid within 14 days") != std::string::npos);
  CHECK(system.find("[2] Shipping") != std::string::npos);
  CHECK(system.find("Be brief.") != std::string::npos);
  CHECK(messages[1].at("role").as_string() == "user");
  CHECK(messages[2].at("role").as_string() == "assistant");
  CHECK(messages[3].at("content").as_string() == "When do I get my refund?");

  // A second reply reuses the connection.
  REQUIRE(run(*provider, question()).code == grpc::StatusCode::OK);
  CHECK(fake.connections() == 1);
}

TEST_CASE("openai: a reply citing only [2] keeps passages 1..2, so [n] is sources[n-1]") {
  test::FakeOpenAi fake;
  fake.reply = "Shipping takes 3 days [2].";
  Fixture f;
  auto provider = f.openai(fake);
  auto r = run(*provider, question());
  REQUIRE(r.code == grpc::StatusCode::OK);
  REQUIRE(r.reply.sources.size() == 2);
  CHECK(r.reply.sources[0].chunk_id == "c1");
  CHECK(r.reply.sources[1].chunk_id == "c2");  // what the text's [2] names
}

TEST_CASE("gemini: streamGenerateContent with systemInstruction, roles and usageMetadata") {
  test::FakeGemini fake;
  Fixture f;
  auto provider = f.gemini(fake);
  auto r = run(*provider, question("", "ru"));
  REQUIRE(r.code == grpc::StatusCode::OK);
  CHECK(r.reply.text == fake.reply);
  CHECK(r.joined() == r.reply.text);
  CHECK(r.deltas.size() > 3);
  CHECK(r.reply.provider == "gemini");
  CHECK(r.reply.usage.prompt_tokens == 12);
  CHECK(r.reply.usage.completion_tokens == 5);
  REQUIRE(r.reply.sources.size() == 1);

  auto requests = fake.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].target == "/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse");
  CHECK(requests[0].headers["x-goog-api-key"] == kGeminiKey);
  CHECK(requests[0].target.find(kGeminiKey) == std::string::npos);
  auto body = boost::json::parse(requests[0].body).as_object();
  std::string system(body.at("systemInstruction").at("parts").at(0).at("text").as_string());
  CHECK(system.find("Reply in Russian") != std::string::npos);
  const auto& contents = body.at("contents").as_array();
  REQUIRE(contents.size() == 3);
  CHECK(contents[0].at("role").as_string() == "user");
  CHECK(contents[1].at("role").as_string() == "model");
  CHECK(contents[2].at("parts").at(0).at("text").as_string() == "When do I get my refund?");
  CHECK(body.at("generationConfig").at("maxOutputTokens").as_int64() == 1024);
  CHECK(body.at("generationConfig").at("temperature").as_double() == Approx(0.3));

  // A model name that would change the URL path is refused before any request.
  auto bad = run(*provider, question("../../x"));
  CHECK(bad.code == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(fake.requests().size() == 1);
}

TEST_CASE("providers: 429 with Retry-After, 500, 404, a bad key, a slow first token, a cut stream") {
  test::FakeOpenAi openai;
  test::FakeGemini gemini;
  Fixture f;
  auto o = f.openai(openai);
  auto g = f.gemini(gemini);
  for (Provider* provider : {static_cast<Provider*>(o.get()), static_cast<Provider*>(g.get())}) {
    INFO(provider->name());
    auto r = run(*provider, question("rate-limited"));
    CHECK(r.code == grpc::StatusCode::RESOURCE_EXHAUSTED);
    CHECK(r.message == "the model provider is rate limiting; retry after 7 s");
    CHECK(r.deltas.empty());

    r = run(*provider, question("broken"));
    CHECK(r.code == grpc::StatusCode::UNAVAILABLE);
    CHECK(r.message == "model provider failed (HTTP 500)");

    r = run(*provider, question("missing"));
    CHECK(r.code == grpc::StatusCode::FAILED_PRECONDITION);
    CHECK(r.message.find("does not exist") != std::string::npos);

    r = run(*provider, question("slow"));
    CHECK(r.code == grpc::StatusCode::DEADLINE_EXCEEDED);
    CHECK(r.message == "the model did not start answering in time");

    r = run(*provider, question("cut"));
    CHECK(r.code == grpc::StatusCode::UNAVAILABLE);
    CHECK(r.message == "the model's reply was cut off");
    CHECK(r.deltas.size() == 2);
  }
  // A wrong key: OpenAI's 401 message quotes the key's start; it reaches neither the caller nor
  // the status message.
  auto wrong = f.openai(openai, "sk-wrong-secret-key");
  auto r = run(*wrong, question());
  CHECK(r.code == grpc::StatusCode::FAILED_PRECONDITION);
  CHECK(r.message == "the model provider refused the API key (HTTP 401)");
  auto wrong_gemini = f.gemini(gemini, "wrong-secret-key");
  r = run(*wrong_gemini, question());
  CHECK(r.code == grpc::StatusCode::FAILED_PRECONDITION);
  CHECK(r.message.find("wrong-secret-key") == std::string::npos);
}

TEST_CASE("providers: safety blocks end with a refusal in the bot's language") {
  test::FakeOpenAi openai;
  test::FakeGemini gemini;
  Fixture f;
  auto r = run(*f.gemini(gemini), question("blocked", "uz"));
  REQUIRE(r.code == grpc::StatusCode::OK);
  CHECK(r.reply.text == ChatModelProvider::blocked_text("uz"));
  CHECK(r.joined() == r.reply.text);
  CHECK_FALSE(r.reply.answered);
  CHECK(r.reply.sources.empty());
  CHECK(r.reply.usage.prompt_tokens == 12);

  r = run(*f.gemini(gemini), question("filtered"));
  REQUIRE(r.code == grpc::StatusCode::OK);
  CHECK(r.reply.text == "Возврат\n\n" + std::string(ChatModelProvider::blocked_text("en")));
  CHECK_FALSE(r.reply.answered);

  r = run(*f.openai(openai), question("filtered"));
  REQUIRE(r.code == grpc::StatusCode::OK);
  CHECK(r.reply.text == "Refunds\n\n" + std::string(ChatModelProvider::blocked_text("en")));
  CHECK(r.joined() == r.reply.text);
}

TEST_CASE("providers: a caller that goes away cancels the model request") {
  test::FakeOpenAi openai;
  Fixture f;
  auto provider = f.openai(openai);
  // The sink refuses the first delta.
  auto r = run(*provider, question("hang"), 1);
  CHECK(r.code == grpc::StatusCode::CANCELLED);
  CHECK(r.deltas.size() == 1);

  // The caller's context is cancelled while the model is silent.
  std::atomic<bool> cancelled{false};
  auto input = question("hang");
  input.is_cancelled = [&] { return cancelled.load(); };
  std::thread canceller([&] {
    std::this_thread::sleep_for(300ms);
    cancelled = true;
  });
  r = run(*provider, input);
  canceller.join();
  CHECK(r.code == grpc::StatusCode::CANCELLED);
  CHECK(r.deltas.size() == 1);
  for (int i = 0; i < 100 && f.client->in_flight() > 0; ++i) std::this_thread::sleep_for(10ms);
  CHECK(f.client->in_flight() == 0);

  // The served gRPC call's deadline bounds the model request (the fake stays silent for 5 s,
  // the provider's own total timeout is 4 s).
  {
    common::ScopedCallDeadline scope(std::chrono::system_clock::now() + 300ms, {});
    r = run(*provider, question("hang"));
  }
  CHECK(r.code == grpc::StatusCode::DEADLINE_EXCEEDED);
  CHECK(r.deltas.size() == 1);
}

TEST_CASE("registry: openai/gemini answer with a key, extractive without one") {
  test::FakeOpenAi openai;
  Fixture f;
  auto registry = std::make_shared<ProviderRegistry>(std::make_shared<ExtractiveProvider>(f.search));
  registry->add(f.openai(openai, ""));  // no key in the environment
  auto input = question();
  input.provider = "openai";
  CHECK(registry->resolve(input).name() == "extractive");
  input.api_key = kOpenAiKey;  // a per-bot key
  auto& provider = registry->resolve(input);
  REQUIRE(provider.name() == "openai");
  auto r = run(provider, input);
  CHECK(r.code == grpc::StatusCode::OK);
  CHECK(r.reply.text == openai.reply);
  input.provider = "gemini";
  CHECK(registry->resolve(input).name() == "extractive");
}

TEST_CASE("providers: keys appear in no log line (start-up, answers, refused keys)") {
  test::FakeOpenAi openai;
  test::FakeGemini gemini;
  Fixture f;
  // Capture stderr (the log sink) in a temporary file.
  std::fflush(stderr);
  FILE* capture = std::tmpfile();
  REQUIRE(capture != nullptr);
  int saved = dup(fileno(stderr));
  REQUIRE(dup2(fileno(capture), fileno(stderr)) >= 0);
  {
    setenv("OPENAI_BASE_URL", openai.base_url().c_str(), 1);
    setenv("GEMINI_BASE_URL", gemini.base_url().c_str(), 1);
    ProviderRegistry registry(std::make_shared<ExtractiveProvider>(f.search));
    add_chat_model_providers(registry, f.client, f.search);
    for (const char* name : {"openai", "gemini"}) {
      auto input = question();
      input.provider = name;
      input.api_key = std::string(name) == "openai" ? kOpenAiKey : kGeminiKey;  // as from the registry
      CHECK(run(registry.resolve(input), input).code == grpc::StatusCode::OK);
      input.model = "broken";
      CHECK(run(registry.resolve(input), input).code == grpc::StatusCode::UNAVAILABLE);
      input.model = "";
      input.api_key = "sk-wrong-secret-key";
      CHECK(run(registry.resolve(input), input).code == grpc::StatusCode::FAILED_PRECONDITION);
    }
    for (const char* name : {"OPENAI_API_KEY", "OPENAI_BASE_URL", "GEMINI_API_KEY", "GEMINI_BASE_URL"}) unsetenv(name);
  }
  std::fflush(stderr);
  dup2(saved, fileno(stderr));
  close(saved);
  std::rewind(capture);
  std::string text;
  for (int c; (c = std::fgetc(capture)) != EOF;) text += static_cast<char>(c);
  std::fclose(capture);
  INFO(text);
  CHECK(text.find("keys from bot-registry") != std::string::npos);  // the capture works
  CHECK(text.find("answered HTTP 401") != std::string::npos);
  CHECK(text.find("0123456789") == std::string::npos);
  CHECK(text.find("sk-wrong") == std::string::npos);
  CHECK(text.find("secret") == std::string::npos);
}
