// Every record kind of the pipe contract (ARCHITECTURE.md, "Records").
#pragma once

#include "aip/records/drift.hpp"
#include "aip/records/event.hpp"
#include "aip/records/job.hpp"
#include "aip/records/module.hpp"
#include "aip/records/report.hpp"
#include "aip/records/sample.hpp"
#include "aip/records/sqa.hpp"
#include "aip/records/usage.hpp"
