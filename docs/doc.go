// Package docs holds sockbench's course material as Markdown: one page per
// strategy, the Python-to-Go map, lessons and guides. It has no code; its
// test runs every sockbench command printed in the pages (see README.md in
// this directory for the convention), so the documentation cannot drift
// from the tool.
package docs
