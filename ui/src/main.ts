import { mount } from "svelte";
import "./app.css";
import App from "./App.svelte";
import { APP_LOCALE } from "./lib/locale";

// Numbers and dates follow APP_LOCALE; publishing it on <html lang> also lets
// the end-to-end tests format expected numbers the same way.
document.documentElement.lang = APP_LOCALE;

const target = document.getElementById("app");
if (!target) throw new Error("index.html has no #app element");

export default mount(App, { target });
