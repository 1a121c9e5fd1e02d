// Reads a JSON array of FHIR resources on stdin; prints, as JSON, each one's validation messages
// from FHIR.js against its bundled FHIR R4 (4.0.1) structure definitions and value sets.
const { Fhir } = require("fhir");

const fhir = new Fhir();
let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const results = JSON.parse(input).map((resource) => fhir.validate(resource).messages);
  process.stdout.write(JSON.stringify(results));
});
