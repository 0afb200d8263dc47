// lib/sqa against values from outside the code under test: FIPS 180 SHA-1 vectors, git's own
// object ids (git hash-object, git write-tree, git rev-parse), Debian's licence texts and
// their file names, semver.org's precedence example, hand-counted coverage and line numbers,
// and repositories built here with git that pass or fail each criterion.
#include "../../core/tests/test_util.hpp"

#include <aip/core/error.hpp>
#include <aip/core/process.hpp>
#include <aip/sqa/assess.hpp>
#include <aip/sqa/formats.hpp>
#include <aip/sqa/hash.hpp>
#include <aip/sqa/license.hpp>
#include <aip/sqa/linters.hpp>
#include <aip/sqa/report.hpp>
#include <aip/sqa/workflow.hpp>

#include <aip/core/markup.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sys/stat.h>

using namespace aip;
using namespace aip::sqa;
namespace fs = std::filesystem;

namespace {

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

// git with a fixed identity and dates, so commits do not depend on the machine.
std::string git(const std::string &dir, std::vector<std::string> args,
                const std::string &input = "") {
  std::vector<std::string> argv{"git", "-C", dir};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessOptions o;
  o.input = input;
  o.set_env = {"GIT_AUTHOR_NAME=T",
               "GIT_AUTHOR_EMAIL=t@example.org",
               "GIT_COMMITTER_NAME=T",
               "GIT_COMMITTER_EMAIL=t@example.org",
               "GIT_AUTHOR_DATE=2026-01-01T00:00:00Z",
               "GIT_COMMITTER_DATE=2026-01-01T00:00:00Z",
               "GIT_CONFIG_GLOBAL=/dev/null",
               "GIT_CONFIG_NOSYSTEM=1"};
  auto r = run_process(argv, o);
  if (r.exit_code != 0) throw std::runtime_error("git " + args.front() + ": " + r.err);
  return trim(r.out);
}

void write(const fs::path &root, const std::string &rel, const std::string &content) {
  fs::create_directories((root / rel).parent_path());
  std::ofstream(root / rel, std::ios::binary) << content;
}

std::string slurp(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const Check &check(const Report &r, const std::string &id) {
  auto c = r.check(id);
  if (!c) throw std::runtime_error("no check " + id);
  return *c;
}

// The MIT licence text (opensource.org/license/mit), the common form with a copyright line.
const char *kMit = R"(MIT License

Copyright (c) 2026 Example Authors

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT.
)";

} // namespace

TEST(SqaHash, Sha1MatchesFips180Vectors) {
  EXPECT_EQ(sha1_hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(sha1_hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(sha1_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  Sha1 h;
  const std::string block(1000, 'a');
  for (int i = 0; i < 1000; ++i)
    h.update(block); // a million 'a', fed in pieces that straddle blocks
  EXPECT_EQ(h.hex(), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

TEST(SqaHash, BlobAndTreeIdsMatchGit) {
  // git's well-known ids of the empty blob and the empty tree.
  EXPECT_EQ(git_blob_id(""), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
  EXPECT_EQ(git_tree_id({}), "4b825dc642cb6eb9a060e54bf8d69288fbee4904");
  test::TempDir d;
  for (std::string content :
       {std::string("hello\n"), std::string(70000, 'x'), std::string("a\0b", 3)})
    EXPECT_EQ(git_blob_id(content), git(d.path().string(), {"hash-object", "--stdin"}, content));
}

TEST(SqaHash, WorkingTreeSwhidEqualsGitWriteTree) {
  test::TempDir d;
  const auto root = d.path().string();
  git(root, {"init", "-q", "-b", "main"});
  write(d.path(), "a.txt", "one\n");
  write(d.path(), "src/b.c", "int b;\n");
  write(d.path(), "src/b-c/x",
        "x\n"); // '-' sorts before '/', so "src/b-c" vs "src/b.c" ordering matters
  write(d.path(), "src.txt", "s\n"); // a file whose name sorts between "src" and "src/"
  write(d.path(), "run.sh", "#!/bin/sh\n");
  fs::permissions(d.path() / "run.sh", fs::perms::owner_exec, fs::perm_options::add);
  fs::create_symlink("a.txt", d.path() / "link");
  git(root, {"add", "-A"});
  git(root, {"commit", "-qm", "c"});
  Options o;
  o.verify_swhid = true;
  auto r = assess(root, o);
  const auto tree = git(root, {"rev-parse", "HEAD^{tree}"});
  EXPECT_EQ(r.swhid_dir, "swh:1:dir:" + tree);
  EXPECT_EQ(r.swhid_worktree, "swh:1:dir:" + tree);
  EXPECT_EQ(r.swhid_rev, "swh:1:rev:" + git(root, {"rev-parse", "HEAD"}));
  // directory_swhid() walks the folder itself (no git): the same id.
  EXPECT_EQ(directory_swhid(root), "swh:1:dir:" + tree);
}

TEST(SqaRepo, HeadReadWithoutGitFromLooseAndPackedRefs) {
  test::TempDir d;
  const auto root = d.path().string();
  git(root, {"init", "-q", "-b", "main"});
  EXPECT_FALSE(read_head(root).has_value()); // no commit yet
  write(d.path(), "f", "1\n");
  git(root, {"add", "f"});
  git(root, {"commit", "-qm", "one"});
  const auto head = git(root, {"rev-parse", "HEAD"});
  EXPECT_EQ(read_head(root).value_or(""), head);
  git(root, {"pack-refs", "--all"});
  ASSERT_FALSE(fs::exists(d.path() / ".git/refs/heads/main"));
  EXPECT_EQ(read_head(root).value_or(""), head);
  git(root, {"checkout", "-q", "--detach"});
  EXPECT_EQ(read_head(root).value_or(""), head);
}

TEST(SqaRepo, CredentialsInTheRemoteNeverReachTheReport) {
  test::TempDir d;
  const auto root = d.path().string();
  git(root, {"init", "-q"});
  git(root, {"remote", "add", "origin", "https://ci-bot:ghp_SECRET123@github.com/org/repo.git"});
  auto g = git_facts(root);
  EXPECT_EQ(g.origin, "https://github.com/org/repo.git");
  auto r = assess(root, {});
  EXPECT_EQ(render_json(r).dump().find("SECRET"), std::string::npos);
  EXPECT_EQ(render_sarif(r, "0").dump().find("SECRET"), std::string::npos);
}

TEST(SqaRepo, GlobsAndIgnoredPaths) {
  EXPECT_TRUE(glob_match("*.md", "README.md"));
  EXPECT_FALSE(glob_match("*.md", "docs/README.md"));
  EXPECT_TRUE(glob_match("**/*.md", "docs/a/README.md"));
  EXPECT_TRUE(glob_match("**/*.md", "README.md"));
  EXPECT_TRUE(glob_match("third_party/**", "third_party/x/y.c"));
  EXPECT_FALSE(glob_match("third_party/**", "third_partyx/y.c"));
  EXPECT_TRUE(glob_match("src/?.c", "src/a.c"));
  EXPECT_FALSE(glob_match("src/?.c", "src/ab.c"));
  EXPECT_TRUE(ignored({"build/"}, "build/x/y"));
  EXPECT_FALSE(ignored({"build/"}, "buildx/y"));
}

TEST(SqaRepo, SymlinkLoopsAndNoGitDoNotHang) {
  test::TempDir d;
  write(d.path(), "a/file.txt", "x\n");
  fs::create_directory_symlink("..", d.path() / "a/up");   // a loop through the parent
  fs::create_directory_symlink("loop", d.path() / "loop"); // a link to itself
  auto w = walk(d.path().string(), git_facts(d.path().string()), {});
  std::vector<std::string> paths;
  for (const auto &f : w.files) paths.push_back(f.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"a/file.txt", "a/up", "loop"}));
  EXPECT_TRUE(w.files[1].link);
  auto r = assess(d.path().string(), {});
  EXPECT_EQ(check(r, "acc-vcs").status, Status::fail);
  EXPECT_NE(check(r, "acc-vcs").evidence.front().find("no .git"), std::string::npos);
}

TEST(SqaLicense, DebianTextsAreIdentifiedByTheirFileNames) {
  const auto refs = LicenseTexts::load();
  if (refs.texts.empty()) GTEST_SKIP() << "no /usr/share/common-licenses";
  // Debian's file name says which licence each text is.
  const std::vector<std::pair<std::string, std::string>> expect{
      {"Apache-2.0", "Apache-2.0"},     {"GPL-2", "GPL-2.0-or-later"},
      {"GPL-3", "GPL-3.0-or-later"},    {"LGPL-2.1", "LGPL-2.1-or-later"},
      {"LGPL-3", "LGPL-3.0-or-later"},  {"MPL-2.0", "MPL-2.0"},
      {"BSD", "BSD-3-Clause"},          {"GFDL-1.2", "GFDL-1.2-or-later"},
      {"GFDL-1.3", "GFDL-1.3-or-later"}};
  for (const auto &[file, spdx] : expect) {
    auto text = slurp("/usr/share/common-licenses/" + file);
    auto m = identify_license(text, refs);
    EXPECT_EQ(m.spdx, spdx) << file;
    // A preamble and a copyright line added in front still match.
    m = identify_license(
        "Copyright 2026 Example Authors\nThis project is licensed as follows.\n\n" + text, refs);
    EXPECT_EQ(m.spdx, spdx) << file << " with a preamble";
    EXPECT_GT(m.similarity, 0.9);
  }
  // Dice of word trigram sets, GPL-2 against LGPL-2.1, from Python over the same files:
  //   words = re.findall(r'[a-z0-9]+', text.lower()); tri = set(zip(w, w[1:], w[2:]))
  //   2 * len(a & b) / (len(a) + len(b)) = 0.589
  auto a = trigram_set(license_words(slurp("/usr/share/common-licenses/GPL-2")));
  auto b = trigram_set(license_words(slurp("/usr/share/common-licenses/LGPL-2.1")));
  EXPECT_NEAR(dice(a, b), 0.589, 0.0006);
}

TEST(SqaLicense, PhrasesAndSpdxLines) {
  LicenseTexts none; // as on a machine without Debian's texts
  EXPECT_EQ(identify_license(kMit, none).spdx, "MIT");
  EXPECT_EQ(identify_license(kMit, LicenseTexts::load()).spdx, "MIT");
  const std::string bsd2 = "Redistribution and use in source and binary forms, with or without "
                           "modification, are permitted provided that the "
                           "following conditions are met:\n1. Redistributions of source code must "
                           "retain the above copyright notice, this list "
                           "of conditions and the following disclaimer.\n2. Redistributions in "
                           "binary form must reproduce the above copyright "
                           "notice, this list of conditions and the following disclaimer in the "
                           "documentation and/or other materials provided "
                           "with the distribution.\n";
  EXPECT_EQ(identify_license(bsd2, none).spdx, "BSD-2-Clause");
  EXPECT_EQ(identify_license(
                "SPDX-License-Identifier: EUPL-1.2\n\nEUROPEAN UNION PUBLIC LICENCE v. 1.2", none)
                .spdx,
            "EUPL-1.2");
  EXPECT_EQ(identify_license("All rights reserved. Do not copy.", none).spdx, "");
  // indigo-dc/sqa-baseline's LICENSE.md opens this way (CC BY-SA 4.0, not an OSI licence).
  EXPECT_EQ(identify_license(
                "# LICENSE-CC-BY-SA-4.0.md\n\nUNLESS OTHERWISE NOTED, THE CONTENTS OF THIS "
                "REPOSITORY ARE LICENSED "
                "UNDER THE CREATIVE COMMONS ATTRIBUTION - SHARE ALIKE 4.0 INTERNATIONAL LICENSE\n",
                none)
                .spdx,
            "CC-BY-SA-4.0");
  EXPECT_EQ(
      identify_license("Creative Commons Attribution 4.0 International Public License", none).spdx,
      "CC-BY-4.0");
  EXPECT_EQ(spdx_identifiers("/* SPDX-License-Identifier: (MIT OR Apache-2.0) */\n# "
                             "SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note\n"),
            (std::vector<std::string>{"MIT", "Apache-2.0", "GPL-2.0-only"}));
  EXPECT_TRUE(osi_approved("Apache-2.0"));
  EXPECT_TRUE(osi_approved("BSD-3-Clause"));
  EXPECT_FALSE(osi_approved("CC0-1.0")); // the OSI did not approve CC0
  EXPECT_FALSE(osi_approved("CC-BY-4.0"));
  EXPECT_FALSE(osi_approved("GFDL-1.3-or-later"));
}

TEST(SqaFormats, LcovCountsLinesOnceAcrossRecords) {
  // Hand count: a.c lines 1,2,3 of which 1 and 3 hit, in two records (line 2 hit in the
  // second) -> 3 found, 3 hit; b.c has only LF/LH 10/4. Total 7 of 13 lines = 53.85%.
  const char *text =
      "TN:\nSF:a.c\nFN:1,main\nDA:1,5\nDA:2,0\nDA:3,1,abc\nLF:3\nLH:2\nend_of_record\n"
      "SF:a.c\nDA:2,7\nend_of_record\nSF:b.c\nLF:10\nLH:4\nBRF:2\nBRH:1\nend_of_record\n";
  auto c = parse_lcov(text, "lcov.info");
  EXPECT_EQ(c.lines_valid, 13u);
  EXPECT_EQ(c.lines_covered, 7u);
  EXPECT_NEAR(c.percent(), 100.0 * 7 / 13, 1e-12);
  EXPECT_EQ(c.files, 2u);
  try {
    parse_lcov("SF:a.c\nDA:x,1\n", "cov/lcov.info");
    FAIL();
  } catch (const Error &e) {
    EXPECT_EQ(e.status(), Exit::data);
    EXPECT_EQ(std::string(e.what()),
              "cov/lcov.info:2: DA: expected LINE,COUNT with whole numbers, got 'x,1'");
  }
  EXPECT_THROW(parse_lcov("hello\n", "x"), Error);
  EXPECT_THROW(parse_lcov("", "x"), Error);
}

TEST(SqaFormats, CoberturaAttributes) {
  const char *xml = "<?xml version=\"1.0\" ?>\n<!DOCTYPE coverage SYSTEM "
                    "\"http://cobertura.sourceforge.net/xml/coverage-04.dtd\">\n"
                    "<!-- generated by gcovr -->\n<coverage line-rate=\"0.75\" branch-rate=\"0.5\" "
                    "lines-covered=\"300\" lines-valid=\"400\" "
                    "version=\"gcovr 5.2\" timestamp=\"1\">\n<packages/></coverage>\n";
  auto c = parse_cobertura(xml, "coverage.xml");
  EXPECT_EQ(c.lines_valid, 400u);
  EXPECT_EQ(c.lines_covered, 300u);
  EXPECT_DOUBLE_EQ(c.percent(), 75.0);
  auto rate_only = parse_cobertura("<coverage line-rate='0.625'></coverage>", "c.xml");
  EXPECT_DOUBLE_EQ(rate_only.percent(), 62.5);
  try {
    parse_cobertura("<?xml version=\"1.0\"?>\n\n<coverage line-rate=\"1.5\">", "c.xml");
    FAIL();
  } catch (const Error &e) {
    EXPECT_EQ(std::string(e.what()),
              "c.xml:3: attribute 'line-rate': expected a number in [0, 1], got '1.5'");
  }
  EXPECT_THROW(parse_cobertura("<report/>", "c.xml"), Error);
}

TEST(SqaFormats, CitationCffByVersion) {
  auto ok = parse_citation(slurp(std::string(AIP_SOURCE_DIR) + "/CITATION.cff"), "CITATION.cff");
  EXPECT_TRUE(ok.problems.empty()) << (ok.problems.empty() ? "" : ok.problems.front());
  EXPECT_EQ(ok.cff_version, "1.2.0");
  // 1.1.0 still required version and date-released.
  auto old =
      parse_citation("cff-version: 1.1.0\nmessage: m\ntitle: t\nauthors:\n  - family-names: Doe\n",
                     "CITATION.cff");
  EXPECT_EQ(old.problems,
            (std::vector<std::string>{"CITATION.cff: required key 'version' is missing",
                                      "CITATION.cff: required key 'date-released' is missing"}));
  auto bad = parse_citation("cff-version: 1.2.0\nmessage: m\ntitle: t\nauthors:\n  - affiliation: "
                            "X\ndate-released: 2026-13-01\nhomepage: x\n",
                            "CITATION.cff");
  EXPECT_EQ(bad.problems,
            (std::vector<std::string>{
                "CITATION.cff:7: key 'homepage' is not part of CFF 1.2.0",
                "CITATION.cff:5: authors[0] has neither 'name' (entity) nor person names",
                "CITATION.cff:6: 'date-released' must be a date YYYY-MM-DD"}));
  try {
    parse_citation("cff-version: 1.2.0\nauthors: [\n", "CITATION.cff");
    FAIL();
  } catch (const Error &e) {
    EXPECT_EQ(std::string(e.what()).rfind("CITATION.cff:3: malformed YAML", 0), 0u) << e.what();
  }
  auto cm = parse_codemeta(
      R"({"@context": "https://doi.org/10.5063/schema/codemeta-2.0", "name": "x", "version": "1.2.0"})",
      "codemeta.json");
  EXPECT_TRUE(cm.problems.empty());
  EXPECT_EQ(cm.version.value_or(""), "1.2.0");
  try {
    parse_codemeta("{\n  \"name\": \"x\",\n  oops\n}", "codemeta.json");
    FAIL();
  } catch (const Error &e) {
    EXPECT_EQ(std::string(e.what()), "codemeta.json:3: malformed JSON");
  }
}

TEST(SqaFormats, SemVerPrecedenceOfSemverOrg) {
  // semver.org, section 11: 1.0.0-alpha < 1.0.0-alpha.1 < 1.0.0-alpha.beta < 1.0.0-beta <
  // 1.0.0-beta.2 < 1.0.0-beta.11 < 1.0.0-rc.1 < 1.0.0, and 1.0.0 < 2.0.0 < 2.1.0 < 2.1.1.
  const std::vector<std::string> order{"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
                                       "1.0.0-beta",  "1.0.0-beta.2",  "1.0.0-beta.11",
                                       "1.0.0-rc.1",  "1.0.0",         "2.0.0",
                                       "2.1.0",       "2.1.1"};
  for (std::size_t i = 0; i + 1 < order.size(); ++i) {
    auto a = parse_semver(order[i]), b = parse_semver(order[i + 1]);
    ASSERT_TRUE(a && b) << order[i];
    EXPECT_LT(compare(*a, *b), 0) << order[i] << " < " << order[i + 1];
    EXPECT_GT(compare(*b, *a), 0);
  }
  EXPECT_EQ(compare(*parse_semver("1.0.0+build.1"), *parse_semver("1.0.0+other")),
            0); // build metadata has no precedence
  EXPECT_TRUE(parse_semver("v1.2.3"));
  EXPECT_FALSE(parse_semver("v1.2.3", false));
  for (const char *bad :
       {"1.2", "01.2.3", "1.2.3-01", "1.2.3-", "1.2.3+", "release-1", "1.2.3.4", "1..3"})
    EXPECT_FALSE(parse_semver(bad)) << bad;
}

TEST(SqaWorkflow, ScorecardPatternsWithLines) {
  const char *yml = R"(name: ci
on:
  pull_request_target:
  push:
jobs:
  build:
    runs-on: ubuntu-latest
    permissions:
      contents: write
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - uses: actions/setup-python@0a5c61591373683505ea898e09a3ea4f39ef2b9c
      - uses: ./local-action
      - uses: docker://alpine:3
      - run: |
          echo start
          echo "${{ github.event.issue.title }}"
      - run: echo ${{ github.sha }}
)";
  auto f = analyse_workflow(yml, "ci.yml");
  EXPECT_EQ(f.triggers, (std::vector<std::string>{"pull_request_target", "push"}));
  std::vector<std::pair<WorkflowIssue::Kind, std::size_t>> got;
  for (const auto &i : f.issues) got.emplace_back(i.kind, i.line);
  using K = WorkflowIssue::Kind;
  // Lines counted by hand in the text above.
  EXPECT_EQ(got, (std::vector<std::pair<K, std::size_t>>{{K::permissions, 1},
                                                         {K::unpinned, 11},
                                                         {K::dangerous_trigger, 13},
                                                         {K::unpinned, 16},
                                                         {K::untrusted_input, 19}}));
  auto top = analyse_workflow("on: push\npermissions: write-all\njobs: {}\n", "w.yml");
  ASSERT_EQ(top.issues.size(), 1u);
  EXPECT_EQ(top.issues[0].line, 2u);
  auto broken = analyse_workflow("on: [push\njobs:\n", "w.yml");
  ASSERT_EQ(broken.issues.size(), 1u);
  EXPECT_EQ(broken.issues[0].kind, K::malformed);
  EXPECT_TRUE(untrusted_expression(" github.event.pull_request.body "));
  EXPECT_TRUE(untrusted_expression("github.head_ref"));
  EXPECT_FALSE(untrusted_expression("github.sha"));
  EXPECT_FALSE(untrusted_expression("github.event.pull_request.number"));
}

TEST(SqaScoring, BadgeAndScoreByHand) {
  Report r;
  for (const auto &[id, name] : criteria_names()) r.criteria.push_back({id, name, true, true});
  award(r);
  EXPECT_EQ(r.badge, "gold");
  EXPECT_TRUE(r.next_badge.empty());
  for (auto &c : r.criteria)
    if (c.id == "QC.Sec" || c.id == "QC.Man") c.valid = false;
  award(r);
  EXPECT_EQ(r.badge, "bronze");
  EXPECT_EQ(r.next_badge, "silver");
  EXPECT_EQ(r.missing_for_next, std::vector<std::string>{"QC.Sec"});
  for (auto &c : r.criteria)
    if (c.id == "QC.Met") c.valid = false;
  award(r);
  EXPECT_EQ(r.badge, "none");
  EXPECT_EQ(r.missing_for_next, std::vector<std::string>{"QC.Met"});
  // MUST 3, SHOULD 2, MAY 1: pass MUST + pass MAY + fail SHOULD, one not assessable:
  // (3 + 1) / (3 + 1 + 2) = 0.667 -> 6.7.
  std::vector<Check> checks(4);
  checks[0].level = Level::must, checks[0].status = Status::pass;
  checks[1].level = Level::may, checks[1].status = Status::pass;
  checks[2].level = Level::should, checks[2].status = Status::fail;
  checks[3].level = Level::must, checks[3].status = Status::not_assessable;
  EXPECT_DOUBLE_EQ(score(checks), 6.7);
}

TEST(SqaProjectConfig, SettingsAndErrorsWithLines) {
  auto c = parse_project_config(
      "require: silver\nmin-score: 7.5\ncoverage-threshold: 80\nignore:\n  - third_party/**\n"
      "waive:\n  - id: sec-pinned-actions\n    reason: internal runners only\n",
      ".sqa-check.yml");
  EXPECT_EQ(c.require.value_or(""), "silver");
  EXPECT_DOUBLE_EQ(c.min_score.value_or(0), 7.5);
  EXPECT_DOUBLE_EQ(c.coverage_threshold.value_or(0), 80);
  EXPECT_EQ(c.ignore, std::vector<std::string>{"third_party/**"});
  EXPECT_EQ(c.waive.at("sec-pinned-actions"), "internal runners only");
  auto err = [](const char *text) {
    try {
      parse_project_config(text, ".sqa-check.yml");
    } catch (const Error &e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(err("require: platinum\n"),
            ".sqa-check.yml:1: require: expected bronze, silver or gold, got 'platinum'");
  EXPECT_EQ(err("min-score: 7\nfoo: 1\n"), ".sqa-check.yml:2: unknown setting 'foo' (require, "
                                           "min-score, coverage-threshold, ignore, waive)");
  EXPECT_EQ(err("waive:\n  - id: x\n"),
            ".sqa-check.yml:2: waive: each entry needs 'id' and 'reason'");
  EXPECT_EQ(err("min-score: lots\n"), ".sqa-check.yml:1: min-score: wrong type of value");
}

// A repository with everything the baseline asks for that can be seen offline.
void gold_fixture(const fs::path &d) {
  const auto root = d.string();
  fs::create_directories(d);
  git(root, {"init", "-q", "-b", "main"});
  write(d, "LICENSE", kMit);
  write(d, "README.md",
        "# Demo\n\nDemo is a small tool that shows every part of the SQA baseline that can be seen "
        "offline.\n\n"
        "## Installation\n\nmake install\n\n## Tests\n\nmake test\n\n## Documentation\n\nSee "
        "docs/.\n\n## Versioning\n\nSemVer.\n\n"
        "## Authors\n\nT.\n\n## Acknowledgements\n\nThanks.\n\n## Contributing\n\nSee "
        "CONTRIBUTING.md.\n\n## Licence\n\nMIT.\n");
  write(d, "CONTRIBUTING.md", "# Contributing\n");
  write(d, "CODE_OF_CONDUCT.md", "# Code of conduct\n");
  write(d, "SECURITY.md", "# Security\n");
  write(d, "CITATION.cff",
        "cff-version: 1.2.0\nmessage: cite\ntitle: Demo\nauthors:\n  - name: Demo team\nversion: "
        "1.1.0\nlicense: MIT\n");
  write(
      d, "codemeta.json",
      R"({"@context": "https://doi.org/10.5063/schema/codemeta-2.0", "name": "demo", "version": "v1.1.0"})");
  write(d, "mkdocs.yml", "site_name: demo\n");
  write(d, "docs/index.md", "# Demo\n");
  write(d, ".clang-format", "BasedOnStyle: LLVM\n");
  write(d, "src/main.cpp", "int main() { return 0; } // NOLINT\n");
  write(d, "src/util.cpp", "int util() { return 1; }\n");
  write(d, "tests/util_test.cpp", "#include <gmock/gmock.h>\n");
  write(d, "tests/fixtures/input.txt", "x\n");
  write(d, "fuzz/fuzz_util.cpp",
        "extern \"C\" int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return "
        "0; }\n");
  write(d, "CMakeLists.txt",
        "project(demo)\nenable_testing()\nadd_test(NAME t COMMAND t)\ninstall(TARGETS "
        "demo)\ninclude(CPack)\n");
  write(d, "Dockerfile", "FROM debian:12\nRUN mkdir -p /var/lib/demo && chmod 750 /var/lib/demo\n");
  write(d, "tests/data/coverage.xml",
        "<coverage lines-valid=\"10\" lines-covered=\"1\"/>\n"); // a test input, not ours
  write(d, "coverage.xml",
        "<?xml version=\"1.0\"?>\n<coverage lines-valid=\"100\" lines-covered=\"81\" "
        "line-rate=\"0.81\"></coverage>\n");
  write(d, ".github/ISSUE_TEMPLATE/bug.md", "bug\n");
  write(d, ".github/pull_request_template.md", "pr\n");
  write(d, ".github/dependabot.yml", "version: 2\n");
  write(d, "CODEOWNERS", "* @t\n");
  // Build output that .gitignore excludes is not part of the assessment (no committed binary).
  write(d, ".gitignore", "build/\n");
  write(d, "build/app.o",
        std::string("\x7f"
                    "ELF\x02\x01\x01\0\0\0",
                    10));
  write(d, ".github/workflows/ci.yml",
        "on:\n  pull_request:\n  push:\npermissions:\n  contents: read\njobs:\n  test:\n    "
        "runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@b4ffde65f46336ab88eb53be808477a3936bae11\n"
        "      - run: clang-format --dry-run --Werror src/*.cpp\n      - run: cppcheck "
        "--error-exitcode=1 src\n"
        "      - run: cmake -B b && cmake --build b && ctest --test-dir b && gcovr --cobertura "
        "coverage.xml\n");
  write(d, ".github/workflows/release.yml",
        "on:\n  push:\n    tags: ['v*']\npermissions:\n  contents: read\njobs:\n  publish:\n    "
        "runs-on: ubuntu-latest\n    permissions:\n"
        "      packages: write\n    steps:\n      - uses: "
        "actions/checkout@b4ffde65f46336ab88eb53be808477a3936bae11\n"
        "      - run: docker build -t ghcr.io/demo/demo . && docker push ghcr.io/demo/demo\n");
  git(root, {"add", "-A"});
  git(root, {"commit", "-qm", "first"});
  git(root, {"tag", "v1.0.0"});
  git(root, {"checkout", "-qb", "feature"});
  write(d, "src/more.cpp", "int more() { return 2; }\n");
  git(root, {"add", "-A"});
  git(root, {"commit", "-qm", "more"});
  git(root, {"checkout", "-q", "main"});
  git(root, {"merge", "-q", "--no-ff", "-m", "merge feature", "feature"});
  git(root, {"tag", "v1.1.0"});
}

TEST(SqaAssess, FixtureEarnsGold) {
  test::TempDir d;
  gold_fixture(d.path());
  auto r = assess(d.path().string(), {});
  for (const auto &c : r.criteria)
    if (c.id != "QC.Rev" && c.id != "QC.Dep") {
      EXPECT_TRUE(c.valid) << c.id;
    }
  for (const auto &k : r.checks)
    if (k.level != Level::may) {
      EXPECT_NE(k.status, Status::fail)
          << k.id << ": " << (k.evidence.empty() ? "" : k.evidence.front());
    }
  EXPECT_EQ(r.badge, "gold");
  EXPECT_EQ(check(r, "lic-spdx").evidence.front().substr(0, 13), "LICENSE: MIT ");
  EXPECT_EQ(check(r, "ver-semver").evidence.front(), "2 SemVer tags, latest v1.1.0");
  EXPECT_NE(check(r, "uni-coverage").evidence.front().find("81.0% (81 of 100 lines)"),
            std::string::npos);
  EXPECT_EQ(check(r, "met-version").status, Status::pass);
  EXPECT_EQ(check(r, "met-version").evidence.front(),
            "CITATION.cff 1.1.0, codemeta.json v1.1.0; latest tag v1.1.0");
  // Bumped for the next release (1.2.0-rc.1 > 1.1.0 by SemVer precedence): still up to date.
  write(
      d.path(), "codemeta.json",
      R"({"@context": "https://doi.org/10.5063/schema/codemeta-2.0", "name": "demo", "version": "1.2.0-rc.1"})");
  auto next = assess(d.path().string(), {});
  EXPECT_EQ(check(next, "met-version").status, Status::pass);
  EXPECT_NE(check(next, "met-version").evidence.front().find("already names the next release"),
            std::string::npos);
  EXPECT_EQ(check(r, "wor-branches").evidence.front().substr(0, 39),
            "1 merge commits in HEAD's history, 2 br");
  EXPECT_EQ(check(r, "sty-suppressions").evidence.front().substr(0, 22), "1 linter suppressions ");
  EXPECT_EQ(check(r, "sec-binaries").status, Status::pass); // build/app.o is ignored by .gitignore
  // Not assessable offline: never counted as failed.
  EXPECT_EQ(check(r, "rev-peer-review").status, Status::not_assessable);
  EXPECT_EQ(check(r, "wor-protection").status, Status::not_assessable);
}

TEST(SqaAssess, EachCriterionFailsWhereItsEvidenceIsMissingOrWrong) {
  test::TempDir d;
  gold_fixture(d.path());
  // Break one thing per criterion and see that exactly the expected checks fail.
  fs::remove(d.path() / "CITATION.cff");
  write(
      d.path(), "codemeta.json",
      R"({"@context": "https://doi.org/10.5063/schema/codemeta-2.0", "name": "demo", "version": "1.0.0"})");
  write(d.path(), "LICENSE", "All rights reserved.\n");
  write(d.path(), "coverage.xml", "<coverage lines-valid=\"100\" lines-covered=\"69\"/>\n");
  write(d.path(), "tool.bin",
        std::string("\x7f"
                    "ELF\x02\x01\x01\0\0\0",
                    10));
  write(d.path(), "var/log.txt", "x\n");
  fs::permissions(d.path() / "var/log.txt", fs::perms::others_write, fs::perm_options::add);
  write(d.path(), "install.sh", "#!/bin/sh\nchmod 777 /var/lib/demo\n");
  write(d.path(), ".github/workflows/bad.yml",
        "on: pull_request_target\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - "
        "uses: actions/checkout@v4\n"
        "        with:\n          ref: ${{ github.event.pull_request.head.ref }}\n      - run: "
        "echo \"${{ github.event.pull_request.title }}\"\n");
  write(d.path(), ".gitlab-ci.yml", "test:\n  script: [make\n");
  git(d.path().string(), {"add", "-A"});
  git(d.path().string(), {"commit", "-qm", "break"});
  git(d.path().string(), {"tag", "release-2"});
  auto r = assess(d.path().string(), {});
  std::vector<std::string> failed;
  for (const auto &k : r.checks)
    if (k.status == Status::fail) failed.push_back(k.id);
  // install.sh makes shell a fifth of the code, with no shell style configuration or check.
  EXPECT_EQ(failed, (std::vector<std::string>{"ver-semver", "lic-spdx", "met-version", "sty-config",
                                              "sty-ci", "uni-coverage", "sec-world-writable",
                                              "sec-binaries", "sec-dangerous-workflow",
                                              "sec-token-permissions", "sec-pinned-actions",
                                              "wor-ci-parse"}));
  EXPECT_EQ(check(r, "lic-osi").status, Status::not_assessable);
  EXPECT_EQ(check(r, "ver-semver").evidence.front(),
            "2 SemVer tags, latest v1.1.0; not SemVer: release-2");
  EXPECT_EQ(check(r, "met-version").evidence.front(),
            "codemeta.json 1.0.0; latest tag v1.1.0: not updated for the release");
  const auto &ww = check(r, "sec-world-writable");
  ASSERT_EQ(ww.locations.size(), 2u);
  EXPECT_EQ(ww.locations[0].path, "install.sh");
  EXPECT_EQ(ww.locations[0].line, 2u);
  EXPECT_EQ(ww.locations[1].path, "var/log.txt");
  const auto &dw = check(r, "sec-dangerous-workflow");
  ASSERT_EQ(dw.locations.size(), 2u);
  EXPECT_EQ(dw.locations[0].line, 8u);
  EXPECT_EQ(dw.locations[1].line, 9u);
  EXPECT_EQ(check(r, "wor-ci-parse").locations.at(0).path, ".gitlab-ci.yml");
  EXPECT_EQ(r.badge, "none");
  EXPECT_EQ(r.missing_for_next, (std::vector<std::string>{"QC.Lic", "QC.Met"}));

  // Waivers turn failures into waived ones, with the reason kept.
  Options o;
  o.waive = {{"QC.Lic01", "licence under legal review"}, {"QC.Ver", "historic tags"}};
  auto w = assess(d.path().string(), o);
  EXPECT_EQ(check(w, "lic-spdx").status, Status::waived);
  EXPECT_EQ(check(w, "lic-spdx").waiver, "licence under legal review");
  EXPECT_EQ(check(w, "ver-semver").status, Status::waived);
  EXPECT_TRUE(w.criterion("QC.Ver")->valid);
  EXPECT_TRUE(w.criterion("QC.Lic")->assessed);
  // The coverage threshold is the user's: at 60% the same report passes.
  o.waive.clear();
  o.coverage_threshold = 60;
  EXPECT_EQ(check(assess(d.path().string(), o), "uni-coverage").status, Status::pass);
  // Ignored paths are not assessed.
  o.ignore = {"tool.bin", "var/"};
  auto ig = assess(d.path().string(), o);
  EXPECT_EQ(check(ig, "sec-binaries").status, Status::pass);
  EXPECT_EQ(check(ig, "sec-world-writable").locations.size(), 1u);
}

TEST(SqaAssess, EmptyFolderAndGitWithoutCommits) {
  test::TempDir d;
  auto r = assess(d.path().string(), {});
  EXPECT_EQ(r.badge, "none");
  EXPECT_EQ(check(r, "lic-file").status, Status::fail);
  EXPECT_EQ(check(r, "doc-readme").status, Status::fail);
  EXPECT_EQ(check(r, "ver-semver").status, Status::not_assessable);
  git(d.path().string(), {"init", "-q"});
  auto g = assess(d.path().string(), {});
  EXPECT_EQ(check(g, "acc-vcs").status, Status::fail);
  EXPECT_EQ(check(g, "acc-vcs").evidence.front(),
            "git repository without a commit: the repository has no commit yet");
  EXPECT_THROW(assess(d.file("missing"), {}), Error);
}

TEST(SqaAssess, JePLPipelineCountsForTheCriteriaItRuns) {
  // JePL (.sqa/config.yml, run by Jenkins) names the criteria its stages check.
  test::TempDir d;
  const auto root = d.path().string();
  git(root, {"init", "-q", "-b", "main"});
  write(d.path(), "pkg/m.py", "x = 1\n");
  write(d.path(), "tests/test_m.py", "def test_x():\n    pass\n");
  write(d.path(), ".sqa/config.yml",
        "config:\n  project_repos:\n    this_repo:\n      repo: 'https://example.org/x'\n"
        "sqa_criteria:\n  QC.Sty:\n    repos:\n      this_repo:\n        commands: [tox -e pep8]\n"
        "  QC.Sec:\n    repos:\n      this_repo:\n        commands: [tox -e bandit]\n"
        "  QC.Uni:\n    repos:\n      this_repo:\n        commands: [tox -e py3]\n");
  git(root, {"add", "-A"});
  git(root, {"commit", "-qm", "c"});
  auto r = assess(root, {});
  EXPECT_EQ(check(r, "wor-ci-gate").status, Status::pass);
  EXPECT_EQ(check(r, "sty-ci").status, Status::pass);
  EXPECT_EQ(check(r, "sec-sast").status, Status::pass);
  EXPECT_EQ(check(r, "uni-automated").status, Status::pass);
  EXPECT_EQ(check(r, "wor-ci-parse").status, Status::pass);
}

TEST(SqaAssess, HugeFilesFifosAndBinariesAreNotReadAsText) {
  test::TempDir d;
  write(d.path(), "big.txt", std::string(5000, 'a') + "NOLINT");
  write(d.path(), "small.cpp", "int x; // NOLINT\n");
  write(d.path(), "data.bin", std::string("NOLINT\0", 7));
  ASSERT_EQ(::mkfifo((d.path() / "pipe").c_str(), 0644), 0); // reading it would block
  Options o;
  o.max_file_bytes = 1000;
  auto r = assess(d.path().string(), o);
  EXPECT_EQ(check(r, "sty-suppressions").evidence.front().substr(0, 32),
            "1 linter suppressions (NOLINT, n");
  ASSERT_FALSE(r.warnings.empty());
  EXPECT_NE(std::find(r.warnings.begin(), r.warnings.end(),
                      "1 files larger than 1000 bytes were not read for content checks"),
            r.warnings.end());
}

TEST(SqaAssess, FolderInsideARepository) {
  test::TempDir d;
  gold_fixture(d.path());
  auto r = assess((d.path() / "src").string(), {});
  EXPECT_EQ(check(r, "acc-vcs").status, Status::pass);
  EXPECT_EQ(r.files, 3u); // main.cpp, util.cpp, more.cpp: paths below the folder only
}

TEST(SqaAssess, ShallowCloneIsReported) {
  test::TempDir d;
  gold_fixture(d.path() / "src");
  git(d.path().string(),
      {"clone", "-q", "--depth", "1", "file://" + (d.path() / "src").string(), "shallow"});
  auto r = assess((d.path() / "shallow").string(), {});
  EXPECT_EQ(check(r, "acc-history").status, Status::fail);
  EXPECT_EQ(check(r, "acc-vcs").status, Status::pass);
}

TEST(SqaReport, RecordsSarifJunitAndBadge) {
  test::TempDir d;
  gold_fixture(d.path());
  write(d.path(), "LICENSE", "All rights reserved.\n");
  auto r = assess(d.path().string(), {});
  auto recs = to_records(r);
  ASSERT_EQ(recs.size(), 14u);
  const auto &lic = recs[5];
  EXPECT_EQ(lic.id, "QC.Lic");
  EXPECT_FALSE(lic.valid);
  EXPECT_EQ(lic.subcriteria.at("QC.Lic01").status.value_or(""), "fail");
  EXPECT_EQ(lic.subcriteria.at("QC.Lic01").level.value_or(""), "MUST");
  EXPECT_EQ(lic.subcriteria.at("QC.Lic01.1").scorecard, std::vector<std::string>{"License"});
  EXPECT_EQ(lic.badge.value_or(""), "none");
  // Every record reads back through the aip.sqa/v1 reader.
  for (const auto &c : recs) EXPECT_EQ(records::sqa_from_json(records::to_json(c), "t:1"), c);
  auto sarif = render_sarif(r, "0.1.0");
  EXPECT_EQ(sarif["version"], "2.1.0");
  const auto &results = sarif["runs"][0]["results"];
  ASSERT_FALSE(results.empty());
  bool found = false;
  for (const auto &res : results) {
    const auto idx = res["ruleIndex"].get<std::size_t>();
    EXPECT_EQ(sarif["runs"][0]["tool"]["driver"]["rules"][idx]["id"], res["ruleId"]);
    if (res["ruleId"] == "lic-spdx") {
      found = true;
      EXPECT_EQ(res["level"], "error");
    }
  }
  EXPECT_TRUE(found);
  auto badge = render_badge(r);
  EXPECT_EQ(badge["schemaVersion"], 1);
  EXPECT_EQ(badge["message"].get<std::string>().substr(0, 5), "none ");
  auto junit = render_junit(r);
  EXPECT_NE(junit.find("<testcase classname=\"QC.Lic\" name=\"lic-spdx (QC.Lic01, MUST): Licence "
                       "identified (SPDX id)\">\n      <failure"),
            std::string::npos);
  EXPECT_EQ(escape_markup("a<b & \"c\"\x01"), "a&lt;b &amp; &quot;c&quot; ");
}

TEST(SqaLinters, OutputReadersOnDocumentedShapes) {
  LinterRun sc;
  sc.name = "shellcheck";
  read_shellcheck_json1(
      R"({"comments":[{"file":"a.sh","line":3,"endLine":3,"column":6,"endColumn":8,"level":"warning","code":2086,"message":"Double quote to prevent globbing and word splitting.","fix":null}]})",
      sc);
  ASSERT_EQ(sc.findings.size(), 1u);
  EXPECT_EQ(sc.findings[0].path, "a.sh");
  EXPECT_EQ(sc.findings[0].line, 3u);
  EXPECT_EQ(sc.rule_ids[0], "shellcheck/SC2086");
  LinterRun cc;
  cc.name = "cppcheck";
  read_cppcheck_template("src/a.c\t12\terror\tnullPointer\tNull pointer dereference: p\nChecking "
                         "src/a.c ...\nnofile\t0\tinformation\tmissingInclude\tx\n",
                         cc);
  ASSERT_EQ(cc.findings.size(), 1u);
  EXPECT_EQ(cc.levels[0], "error");
  LinterRun pep;
  pep.name = "flake8";
  read_pep8_lines("./pkg/m.py:10:80: E501 line too long (88 > 79 characters)\n", pep);
  ASSERT_EQ(pep.findings.size(), 1u);
  EXPECT_EQ(pep.findings[0].path, "pkg/m.py");
  EXPECT_EQ(pep.rule_ids[0], "flake8/E501");
  LinterRun yl;
  yl.name = "yamllint";
  read_yamllint_parsable(
      "ci.yml:3:1: [error] syntax error: expected <block end> (syntax)\nci.yml:1:1: [warning] "
      "missing document start \"---\" (document-start)\n",
      yl);
  ASSERT_EQ(yl.findings.size(), 2u);
  EXPECT_EQ(yl.rule_ids[1], "yamllint/document-start");
  EXPECT_EQ(yl.levels[0], "error");
  LinterRun bd;
  bd.name = "bandit";
  read_bandit_json(
      R"({"errors": [], "results": [{"filename": "m.py", "issue_severity": "HIGH", "issue_text": "Use of exec", "line_number": 4, "test_id": "B102"}]})",
      bd);
  ASSERT_EQ(bd.findings.size(), 1u);
  EXPECT_EQ(bd.levels[0], "error");
  EXPECT_THROW(read_bandit_json("not json", bd), Error);
}
