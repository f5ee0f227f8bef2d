import { mount } from "svelte";
import "./app.css";
import App from "./App.svelte";

// Numbers and dates follow the web view's locale; publishing it on <html lang>
// also lets the end-to-end tests format expected numbers the same way.
document.documentElement.lang = navigator.language || "en";

const target = document.getElementById("app");
if (!target) throw new Error("index.html has no #app element");

export default mount(App, { target });
