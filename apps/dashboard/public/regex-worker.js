// The log viewer's regex filter, tried off the page's thread (see regex-vetting.ts): a pattern
// that backtracks catastrophically on a line cannot be interrupted where it runs, so it runs
// here first, on every line the page would run it on, and the page ends this worker when it
// does not answer in time (counted from the `ready` this script posts once loaded). It keeps
// the lines' texts between tries, as the page's rows change: `evicted` texts go from the front,
// the next `kept` stay, the rest go, then `added` come (with no `source`, that is all: the
// texts kept up to date while no pattern is typed yet).
// A plain script served beside the page (the page's CSP allows no blob: workers).
'use strict';
let texts = [];
let start = 0;

self.onmessage = ({ data }) => {
  const { id, reset, evicted, kept, added, source, all } = data;
  if (reset) {
    texts = [];
    start = 0;
  } else {
    start += evicted;
    texts.length = start + kept;
  }
  for (const text of added) texts.push(text);
  if (start > 4096 && start * 2 > texts.length) {
    texts = texts.slice(start);
    start = 0;
  }
  if (source === null) return;
  // Every match of every line, as the page's filter and highlighting run the pattern.
  const pattern = new RegExp(source, 'gi');
  for (let i = all ? start : texts.length - added.length; i < texts.length; i++)
    for (const found of texts[i].matchAll(pattern)) void found;
  self.postMessage(id);
};

// Loaded: the page starts the clock of a try from here, not from when it asked for the script.
self.postMessage('ready');
