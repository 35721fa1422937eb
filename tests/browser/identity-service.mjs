// A scripted identity service for the browser tests (tests/browser/run
// starts it on loopback and points the app at it): it speaks the README's
// identity-service protocol and answers `match` for exactly the data it was
// sent (its request id and the SHA-256 of the canonical subject). The
// verification component reaches it through its outbound HTTP and
// allowed_outbound_hosts. It checks the bearer token, prints its port once
// listening, and stops with its runner.
import { createServer } from 'node:http';
import { createHash } from 'node:crypto';

const token = process.env.IDENTITY_SERVICE_TOKEN || '';

/** JSON with object keys in lexicographic order, no white space (the protocol's canonical form). */
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const answer = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || req.headers.authorization !== `Bearer ${token}`) return answer(401, { error: 'unauthorized' });
    let request;
    try { request = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { return answer(400, { error: 'not json' }); }
    const digest = createHash('sha256').update(canonical(request.subject ?? null), 'utf8').digest('hex');
    return answer(200, { request_id: request.request_id, result: 'match', subject_digest: digest });
  });
});

server.listen(0, '127.0.0.1', () => console.log(server.address().port));
