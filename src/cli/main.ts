#!/usr/bin/env node
console.log("tollgate");
