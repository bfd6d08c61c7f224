// Package sharing holds the hub's sharing domain (SHARING.md): the
// organizations of the registry and their roles (§1), intake of submissions,
// the channels and their TLP policy (§2–3), routing plans, the copy each
// audience gets and its release (§4, §6), sensitive designs and organization
// keys (§5), exports, TAXII views, API keys and the hash-chained audit log
// (§6). It declares the Store it needs; store/sqlite implements it.
package sharing
