// render.js renders API Gateway mapping templates with velocityjs, an
// independent Velocity implementation, for go test ./tests. It reads a JSON
// array of cases from standard input, each {name, template, request, app} where
// request holds what a mapping template reads ($context, $input.params(),
// $input.body, $stageVariables), and writes a JSON array of
// {name, output, responseOverride, error, app}: the rendered text, what the
// template set in $context.responseOverride, and, when the case asks (app
// true: the output is a Lambda proxy event), what a Node handler behind
// serverless-http sees of it.
//
// velocityjs evaluates the template language (references, #set, #if,
// #foreach, $foreach, literals, operators). What it cannot know is Java and
// API Gateway: API Gateway runs the templates on Apache Velocity, where
// strings are java.lang.String (replaceAll takes a regular expression) and
// $util.escapeJavaScript is Apache Commons Lang's, and gives $input.body of
// an empty body as {}. Those, and only those, are given here, each as Java
// and API Gateway do it.
'use strict';

const { render } = require('velocityjs');
const serverless = require('serverless-http');

// escapeJavaScript is StringEscapeUtils.escapeJavaScript (Commons Lang
// 2.6): JavaScript string rules, so ' becomes \' and / becomes \/, control
// characters and everything above 0x7f become \u escapes of UTF-16 units.
function escapeJavaScript(s) {
  if (s === null || s === undefined) return null;
  s = String(s);
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    const hex = ch.toString(16).toUpperCase();
    if (ch > 0xfff) out += '\\u' + hex;
    else if (ch > 0xff) out += '\\u0' + hex;
    else if (ch > 0x7f) out += '\\u00' + hex;
    else if (ch < 32) {
      switch (ch) {
        case 8: out += '\\b'; break;
        case 9: out += '\\t'; break;
        case 10: out += '\\n'; break;
        case 12: out += '\\f'; break;
        case 13: out += '\\r'; break;
        default: out += (ch > 0xf ? '\\u00' : '\\u000') + hex;
      }
    } else {
      switch (s[i]) {
        case "'": out += "\\'"; break;
        case '"': out += '\\"'; break;
        case '\\': out += '\\\\'; break;
        case '/': out += '\\/'; break;
        default: out += s[i];
      }
    }
  }
  return out;
}

// javaReplacement turns a java.util.regex replacement into a function:
// \x is x, $n is group n.
function javaReplacement(repl) {
  return (...m) => {
    let out = '';
    for (let i = 0; i < repl.length; i++) {
      const c = repl[i];
      if (c === '\\' && i + 1 < repl.length) out += repl[++i];
      else if (c === '$' && /[0-9]/.test(repl[i + 1] || '')) out += m[Number(repl[++i])] ?? '';
      else out += c;
    }
    return out;
  };
}

// The java.lang.String methods the templates call. A Java regular
// expression of the forms they use (literals, escapes, classes) means the
// same as JavaScript's.
const stringMethods = {
  replaceAll: (s, [re, repl]) => s.replace(new RegExp(re, 'g'), javaReplacement(repl)),
  contains: (s, [x]) => s.includes(String(x)),
  startsWith: (s, [x]) => s.startsWith(String(x)),
  equalsIgnoreCase: (s, [x]) => x !== null && x !== undefined && s.toLowerCase() === String(x).toLowerCase(),
  substring: (s, [a, b]) => s.substring(a, b),
  length: (s) => s.length,
  isEmpty: (s) => s.length === 0,
  equals: (s, [x]) => s === x,
  matches: (s, [re]) => new RegExp('^(?:' + re + ')$').test(s),
};

const customMethodHandlers = [
  {
    uid: 'java.lang.String',
    match: ({ property, context }) => typeof context === 'string' && property in stringMethods,
    resolve: ({ property, context, params }) => stringMethods[property](context, params),
  },
  {
    uid: 'java.util.Map.isEmpty',
    match: ({ property, context }) => property === 'isEmpty' && context && typeof context === 'object',
    resolve: ({ context }) => Object.keys(context).length === 0,
  },
];

// renderCase renders c; seen.responseOverride is what the template set in
// $context.responseOverride.
function renderCase(c, seen) {
  const r = c.request;
  const context = JSON.parse(JSON.stringify(r.context));
  context.responseOverride = { header: {} };
  seen.responseOverride = context.responseOverride;
  const data = {
    context,
    stageVariables: r.stageVariables === null ? undefined : r.stageVariables,
    input: {
      // API Gateway's $input.body reads an empty body as {} (LocalStack's
      // test_input_body_formatting, recorded against AWS): a fact of API
      // Gateway's variables, like the Java methods above.
      body: r.body === '' ? '{}' : r.body,
      params: () => r.params,
    },
    util: { escapeJavaScript },
  };
  return render(c.template, data, {}, { escape: false, customMethodHandlers });
}

// app is what a handler behind serverless-http sees of a request.
async function app(event) {
  let seen;
  const handler = serverless((req, res) => {
    const chunks = [];
    req.on('data', (d) => chunks.push(d));
    req.on('end', () => {
      seen = {
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('base64'),
        sourceIp: req.requestContext && req.requestContext.identity && req.requestContext.identity.sourceIp,
      };
      res.end('ok');
    });
  });
  await handler(event, {});
  return seen;
}

async function main() {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const out = [];
  for (const c of JSON.parse(input)) {
    const result = { name: c.name };
    try {
      const context = {};
      result.output = renderCase(c, context);
      result.responseOverride = context.responseOverride;
      if (c.app) result.app = await app(JSON.parse(result.output));
    } catch (e) {
      result.error = String(e && e.stack || e);
    }
    out.push(result);
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack || e) + '\n');
  process.exit(1);
});
