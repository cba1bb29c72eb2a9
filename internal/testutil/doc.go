// Package testutil holds helpers shared by sdeml's tests: independent reference
// derivatives by finite differences (gonum's diff/fd) and error measures.
package testutil
