#!/usr/bin/python3
"""A local stand-in for the REST interfaces aip dispatch speaks where the real engine cannot
run here: the Kubernetes API server (batch/v1 Jobs, v1 Pods, Status errors) and the Nomad
HTTP API (jobs, allocations). It answers in the shapes their documentation gives:

  Kubernetes  https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/job-v1/
              https://kubernetes.io/docs/reference/using-api/api-concepts/ (Status, 409, 429)
  Nomad       https://developer.hashicorp.com/nomad/api-docs/jobs
              https://developer.hashicorp.com/nomad/api-docs/allocations

It is not an emulation of either scheduler: jobs change state only when a test says so
through the /_test/ endpoints:

  POST   /_test/faults         {"method","path","status","count","retry_after"}: the next
                               COUNT requests whose path starts with PATH get STATUS
  PUT    /_test/k8s/NS/NAME    {"status": {...}, "pods": [...]}: a Job's status and its pods
  PUT    /_test/nomad/ID       [allocation, ...]: a Nomad job's allocations
  GET    /_test/requests       every request so far: method, path, query, body, auth
  DELETE /_test/requests       forget them

usage: api_server.py --port-file FILE [--cert PEM --key PEM] [--token T] [--nomad-token T]
                     [--forbid-namespace NS]
"""
import argparse
import json
import ssl
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

LOCK = threading.Lock()
JOBS = {}        # (namespace, name) -> Job object
PODS = {}        # (namespace, job name) -> [Pod]
NOMAD = {}       # id -> job
ALLOCS = {}      # id -> [allocation]
FAULTS = []      # [{"method","path","status","count","retry_after"}]
REQUESTS = []
INDEX = [1000]
ARGS = None


DISCOVERY = {
    "/api": {"kind": "APIVersions", "versions": ["v1"],
             "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]},
    "/apis": {"kind": "APIGroupList", "apiVersion": "v1",
              "groups": [{"name": "batch", "versions": [{"groupVersion": "batch/v1", "version": "v1"}],
                          "preferredVersion": {"groupVersion": "batch/v1", "version": "v1"}}]},
    "/api/v1": {"kind": "APIResourceList", "groupVersion": "v1",
                "resources": [{"name": "pods", "singularName": "pod", "namespaced": True, "kind": "Pod",
                               "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"]}]},
    "/apis/batch/v1": {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "batch/v1",
                       "resources": [{"name": "jobs", "singularName": "job", "namespaced": True, "kind": "Job",
                                      "verbs": ["create", "delete", "deletecollection", "get", "list", "patch",
                                                "update", "watch"], "categories": ["all"]},
                                     {"name": "jobs/status", "singularName": "", "namespaced": True, "kind": "Job",
                                      "verbs": ["get", "patch", "update"]}]},
}


def now_rfc3339():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def status(code, reason, message, details=None):
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}
    if details is not None:
        body["details"] = details
    return code, body


def selector_terms(selector):
    """Split a label selector on the commas outside parentheses ("a=b,c in (x,y)")."""
    terms, depth, cur = [], 0, ""
    for ch in selector or "":
        if ch == "," and depth == 0:
            terms.append(cur.strip())
            cur = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        cur += ch
    if cur.strip():
        terms.append(cur.strip())
    return terms


def selector_matches(selector, labels):
    for term in selector_terms(selector):
        words = term.split(None, 1)
        if len(words) == 2 and words[1].startswith(("in ", "in(", "notin ", "notin(")):
            op, rest = words[1].split("(", 1)
            values = {v.strip() for v in rest.rstrip(")").split(",")}
            inside = labels.get(words[0]) in values
            if (op.strip() == "in") != inside:
                return False
        elif "!=" in term:
            k, v = term.split("!=", 1)
            if labels.get(k) == v:
                return False
        elif "=" in term:
            k, v = term.split("=", 1)
            if v.startswith("="):
                v = v[1:]
            if labels.get(k) != v:
                return False
        elif term not in labels:
            return False
    return True


def next_index():
    INDEX[0] += 1
    return INDEX[0]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK stall
    server_version = "aip-test-apiserver"

    def log_message(self, *args):
        pass

    def answer(self, code, body, content_type="application/json", retry_after=None):
        data = body if isinstance(body, bytes) else (
            body.encode() if isinstance(body, str) else json.dumps(body).encode())
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        if retry_after is not None:
            self.send_header("Retry-After", str(retry_after))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        return raw

    def handle_any(self, method):
        url = urlsplit(self.path)
        path, query = url.path, parse_qs(url.query)
        raw = self.body()
        with LOCK:
            if not path.startswith("/_test/"):
                REQUESTS.append({"method": method, "path": path, "query": url.query,
                                 "body": raw.decode("utf-8", "replace"),
                                 "authorization": self.headers.get("Authorization") is not None,
                                 "nomad_token": self.headers.get("X-Nomad-Token") is not None})
                for f in FAULTS:
                    if f["count"] > 0 and path.startswith(f["path"]) and f.get("method", method) == method:
                        f["count"] -= 1
                        code, b = status(f["status"], "InternalError" if f["status"] >= 500 else "TooManyRequests",
                                         "injected by the test")
                        return self.answer(code, b, retry_after=f.get("retry_after"))
            try:
                if path.startswith("/_test/"):
                    return self.control(method, path, raw)
                if path in ("/api", "/apis") or path.startswith("/apis/") or path.startswith("/api/"):
                    return self.kubernetes(method, path, query, raw)
                if path.startswith("/v1/"):
                    return self.nomad(method, path, query, raw)
            except (ValueError, KeyError, TypeError) as e:
                return self.answer(*status(400, "BadRequest", "bad request: %s" % e))
            return self.answer(*status(404, "NotFound", "the server could not find the requested resource"))

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_PUT(self):
        self.handle_any("PUT")

    def do_DELETE(self):
        self.handle_any("DELETE")

    # --- test control -------------------------------------------------------------------
    def control(self, method, path, raw):
        parts = path.split("/")[2:]
        if parts == ["faults"] and method == "POST":
            f = json.loads(raw)
            f.setdefault("count", 1)
            FAULTS.append(f)
            return self.answer(200, {})
        if parts == ["requests"]:
            if method == "DELETE":
                REQUESTS.clear()
                return self.answer(200, {})
            return self.answer(200, REQUESTS)
        if len(parts) == 3 and parts[0] == "k8s" and method == "PUT":
            key = (parts[1], parts[2])
            if key not in JOBS:
                return self.answer(404, {})
            change = json.loads(raw)
            if "status" in change:
                JOBS[key]["status"] = change["status"]
            if "suspend" in change:
                JOBS[key]["spec"]["suspend"] = change["suspend"]
            if "pods" in change:
                PODS[key] = change["pods"]
            return self.answer(200, JOBS[key])
        if len(parts) == 2 and parts[0] == "nomad" and method == "PUT":
            ALLOCS[parts[1]] = json.loads(raw)
            return self.answer(200, {})
        return self.answer(404, {})

    # --- Kubernetes ---------------------------------------------------------------------
    def kubernetes(self, method, path, query, raw):
        if ARGS.token and self.headers.get("Authorization") != "Bearer " + ARGS.token:
            return self.answer(*status(401, "Unauthorized", "Unauthorized"))
        p = path.strip("/").split("/")
        # Legacy discovery, which kubectl reads before it maps a manifest to its resource.
        if method == "GET" and path.rstrip("/") in DISCOVERY:
            return self.answer(200, DISCOVERY[path.rstrip("/")])
        # /apis/batch/v1/namespaces/NS/jobs[/NAME]  and  /api/v1/namespaces/NS/pods
        if p[:3] == ["apis", "batch", "v1"] and len(p) >= 6 and p[3] == "namespaces" and p[5] == "jobs":
            ns = p[4]
            name = p[6] if len(p) > 6 else None
            verb = {"POST": "create", "GET": "get" if name else "list", "DELETE": "delete"}.get(method, method)
            if ns in ARGS.forbid_namespace:
                return self.answer(*status(403, "Forbidden",
                                           'jobs.batch is forbidden: User "system:serviceaccount:aip:dispatcher" '
                                           'cannot %s resource "jobs" in API group "batch" in the namespace "%s"' % (verb, ns),
                                           {"group": "batch", "kind": "jobs"}))
            if method == "POST" and name is None:
                job = json.loads(raw)
                if job.get("apiVersion") != "batch/v1" or job.get("kind") != "Job":
                    return self.answer(*status(400, "BadRequest", "expected a batch/v1 Job"))
                meta = job.setdefault("metadata", {})
                jname = meta.get("name", "")
                if meta.get("namespace", ns) != ns:
                    return self.answer(*status(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request"))  # noqa: E501
                if (ns, jname) in JOBS:
                    return self.answer(*status(409, "AlreadyExists", 'jobs.batch "%s" already exists' % jname,
                                               {"name": jname, "group": "batch", "kind": "jobs"}))
                meta.update({"namespace": ns, "uid": str(uuid.uuid4()), "resourceVersion": str(next_index()),
                             "creationTimestamp": now_rfc3339(), "generation": 1})
                job["status"] = {}
                JOBS[(ns, jname)] = job
                return self.answer(201, job)
            if method == "GET" and name is None:
                sel = query.get("labelSelector", [""])[0]
                items = []
                for (jns, _), job in sorted(JOBS.items()):
                    if jns == ns and selector_matches(sel, job["metadata"].get("labels", {})):
                        item = dict(job)
                        item.pop("kind", None)
                        item.pop("apiVersion", None)
                        items.append(item)
                return self.answer(200, {"kind": "JobList", "apiVersion": "batch/v1",
                                         "metadata": {"resourceVersion": str(INDEX[0])}, "items": items})
            if name is not None and len(p) == 7:
                if (ns, name) not in JOBS:
                    return self.answer(*status(404, "NotFound", 'jobs.batch "%s" not found' % name,
                                               {"name": name, "group": "batch", "kind": "jobs"}))
                if method == "GET":
                    return self.answer(200, JOBS[(ns, name)])
                if method == "DELETE":
                    policy = query.get("propagationPolicy", [None])[0]
                    if raw:
                        policy = json.loads(raw).get("propagationPolicy", policy)
                    job = JOBS.pop((ns, name))
                    PODS.pop((ns, name), None)
                    return self.answer(200, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                                             "details": {"name": name, "group": "batch", "kind": "jobs",
                                                         "uid": job["metadata"]["uid"]},
                                             "propagationPolicySeen": policy})
        if p[:2] == ["api", "v1"] and len(p) == 5 and p[2] == "namespaces" and p[4] == "pods" and method == "GET":
            ns = p[3]
            sel = query.get("labelSelector", [""])[0]
            items = []
            for (jns, jname), pods in PODS.items():
                if jns == ns:
                    for pod in pods:
                        labels = pod.setdefault("metadata", {}).setdefault("labels", {})
                        labels.setdefault("batch.kubernetes.io/job-name", jname)
                        labels.setdefault("job-name", jname)
                        if selector_matches(sel, labels):
                            items.append(pod)
            return self.answer(200, {"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": items})
        return self.answer(*status(404, "NotFound", "the server could not find the requested resource"))

    # --- Nomad --------------------------------------------------------------------------
    def nomad(self, method, path, query, raw):
        if ARGS.nomad_token and self.headers.get("X-Nomad-Token") != ARGS.nomad_token:
            return self.answer(403, "Permission denied", "text/plain")
        p = path.strip("/").split("/")
        if p == ["v1", "jobs"] and method == "POST":
            job = json.loads(raw)["Job"]
            if not job.get("ID") or job.get("Type") != "batch" or not job.get("TaskGroups"):
                return self.answer(400, "Job must have an ID, Type batch and task groups", "text/plain")
            idx = next_index()
            old = NOMAD.get(job["ID"])
            job.update({"Status": "pending", "Stop": False, "CreateIndex": old["CreateIndex"] if old else idx,
                        "ModifyIndex": idx, "JobModifyIndex": idx})
            NOMAD[job["ID"]] = job
            return self.answer(200, {"EvalID": str(uuid.uuid4()), "EvalCreateIndex": idx, "JobModifyIndex": idx,
                                     "Warnings": "", "Index": idx, "LastContact": 0, "KnownLeader": False})
        if p == ["v1", "jobs"] and method == "GET":
            prefix = query.get("prefix", [""])[0]
            return self.answer(200, [{"ID": j["ID"], "Name": j.get("Name", j["ID"]), "Type": j["Type"],
                                      "Status": j["Status"], "Stop": j["Stop"], "Meta": j.get("Meta")}
                                     for j in NOMAD.values() if j["ID"].startswith(prefix)])
        if len(p) >= 3 and p[:2] == ["v1", "job"]:
            jid = p[2]
            if jid not in NOMAD:
                return self.answer(404, "job not found", "text/plain")
            if len(p) == 3 and method == "GET":
                return self.answer(200, NOMAD[jid])
            if len(p) == 4 and p[3] == "allocations" and method == "GET":
                return self.answer(200, ALLOCS.get(jid, []))
            if len(p) == 3 and method == "DELETE":
                idx = next_index()
                NOMAD[jid].update({"Stop": True, "Status": "dead", "ModifyIndex": idx})
                if query.get("purge", ["false"])[0] == "true":
                    del NOMAD[jid]
                return self.answer(200, {"EvalID": str(uuid.uuid4()), "EvalCreateIndex": idx, "JobModifyIndex": idx,
                                         "Index": idx, "LastContact": 0, "KnownLeader": False})
        return self.answer(404, "Invalid URL: " + path, "text/plain")


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--token", default="")
    ap.add_argument("--nomad-token", default="")
    ap.add_argument("--forbid-namespace", action="append", default=[])
    ARGS = ap.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if ARGS.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(ARGS.cert, ARGS.key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    tmp = ARGS.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % server.server_address[1])
    import os
    os.replace(tmp, ARGS.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
