// SPDX-License-Identifier: MIT
// Validates Kubernetes objects against the API schema, offline, with the
// kubernetes-models classes. Input: a JSON array of objects on stdin (the test
// parses the YAML). Prints "ok KIND NAME" or "error KIND NAME: ..." per object;
// exits 1 when any object is invalid or of a kind the package does not know.
'use strict';

const fs = require('fs');

function modelClass(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : [null, apiVersion];
  const path = group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`;
  let mod;
  try {
    mod = require(path);
  } catch (e) {
    return null;
  }
  return mod[kind] || null;
}

const objects = JSON.parse(fs.readFileSync(0, 'utf8'));
let failed = false;
for (const obj of objects) {
  const name = `${obj.kind} ${(obj.metadata && obj.metadata.name) || '?'}`;
  const Model = modelClass(obj.apiVersion || '', obj.kind || '');
  if (!Model) {
    console.log(`error ${name}: no schema for ${obj.apiVersion} ${obj.kind}`);
    failed = true;
    continue;
  }
  try {
    new Model(obj).validate();
    console.log(`ok ${name}`);
  } catch (e) {
    console.log(`error ${name}: ${e.message}`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
