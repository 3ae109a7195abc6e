package main

import (
	"bytes"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gosocketserver/socketserver/internal/serveproto"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// manifests decodes every document of the deploy/kubernetes YAML files
// strictly (an unknown or misspelt field fails) into the Kubernetes API
// type its kind names.
func manifests(t *testing.T) (deps []appsv1.Deployment, svcs []corev1.Service, jobs []batchv1.Job) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "deploy", "kubernetes", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in deploy/kubernetes: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range regexp.MustCompile(`(?m)^---$`).Split(string(data), -1) {
			var meta struct{ Kind string }
			if err := yaml.Unmarshal([]byte(doc), &meta); err != nil {
				t.Fatalf("%s document %d: %v", f, i, err)
			}
			var err error
			switch meta.Kind {
			case "Deployment":
				var d appsv1.Deployment
				err = yaml.UnmarshalStrict([]byte(doc), &d)
				deps = append(deps, d)
			case "Service":
				var s corev1.Service
				err = yaml.UnmarshalStrict([]byte(doc), &s)
				svcs = append(svcs, s)
			case "Job":
				var j batchv1.Job
				err = yaml.UnmarshalStrict([]byte(doc), &j)
				jobs = append(jobs, j)
			default:
				t.Fatalf("%s document %d: unexpected kind %q", f, i, meta.Kind)
			}
			if err != nil {
				t.Errorf("%s document %d (%s): %v", f, i, meta.Kind, err)
			}
		}
	}
	if len(deps) != 1 || len(svcs) != 1 || len(jobs) != 1 {
		t.Fatalf("%d deployments, %d services, %d jobs; want one each", len(deps), len(svcs), len(jobs))
	}
	return deps, svcs, jobs
}

// expand replaces Kubernetes' $(VAR) references in arg with env's values.
func expand(arg string, env map[string]string) string {
	return regexp.MustCompile(`\$\(([A-Z_]+)\)`).ReplaceAllStringFunc(arg, func(m string) string {
		if v, ok := env[m[2:len(m)-1]]; ok {
			return v
		}
		return m
	})
}

// TestKubernetesManifests: the manifests decode strictly into the
// Kubernetes API types; the server's arguments are ones "sockbench serve"
// accepts; the agents are an Indexed Job with completions = parallelism =
// --agents, and every agent's command line (each index, $(VAR)s expanded)
// is one "sockbench load" accepts, aimed at the Service's ports.
func TestKubernetesManifests(t *testing.T) {
	deps, svcs, jobs := manifests(t)
	svc := svcs[0]
	ports := map[string]bool{}
	for _, p := range svc.Spec.Ports {
		ports[strconv.Itoa(int(p.Port))] = true
	}

	srv := deps[0].Spec.Template.Spec.Containers[0]
	inv := serveproto.DefaultServe()
	fs := newFlagSet("serve", io.Discard)
	inv.Register(fs)
	if err := fs.Parse(srv.Args[1:]); err != nil || srv.Args[0] != "serve" || fs.NArg() != 0 {
		t.Errorf("server args %q: %v", srv.Args, err)
	}
	if inv.StatsAddr == "" {
		t.Error("the server serves no stats endpoint for --server-stats")
	}

	job := jobs[0]
	if job.Spec.CompletionMode == nil || *job.Spec.CompletionMode != batchv1.IndexedCompletion ||
		job.Spec.Completions == nil || job.Spec.Parallelism == nil || *job.Spec.Completions != *job.Spec.Parallelism {
		t.Fatalf("agents job: want an Indexed Job with completions = parallelism, got %+v", job.Spec)
	}
	n := int(*job.Spec.Completions)
	agent := job.Spec.Template.Spec.Containers[0]
	env := map[string]string{}
	for _, e := range agent.Env {
		env[e.Name] = e.Value
	}
	env["POD_NAME"] = "sockbench-agents-0-abcde"
	for i := range n {
		env["AGENT_INDEX"] = strconv.Itoa(i)
		args := make([]string, len(agent.Args))
		for k, a := range agent.Args {
			args[k] = expand(a, env)
		}
		if args[0] != "load" {
			t.Fatalf("agent command %q is not load", args)
		}
		var errb bytes.Buffer
		li, err := parseLoad(args[1:], &errb)
		if err != nil {
			t.Fatalf("agent %d: %q: %v %s", i, args, err, errb.String())
		}
		c := li.cfg
		if c.Index != i || c.Count != n || c.StartAt.IsZero() || li.out != "-" {
			t.Errorf("agent %d: index %d of %d, start %v, out %q; want %d of %d, a start, stdout", i, c.Index, c.Count, c.StartAt, li.out, i, n)
		}
		host, port, err := net.SplitHostPort(c.Addr)
		if err != nil || host != svc.Name || !ports[port] {
			t.Errorf("agent %d loads %s, not a port of Service %s", i, c.Addr, svc.Name)
		}
		if !strings.HasPrefix(c.StatsSource, "http://"+svc.Name+":") {
			t.Errorf("agent %d reads server stats at %q, not from Service %s", i, c.StatsSource, svc.Name)
		}
	}
}
