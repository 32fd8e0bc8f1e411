/* Plotly's own interface in Bangla: the chart toolbar's tooltips, its messages and its placeholders.
   A chart whose config says locale "bn" (dashboard/builders/chart_language.py, chart_config) uses this locale.
   Plotly loads after this script, when the first chart is drawn: a locale queued in window.PlotlyLocales is
   registered as Plotly starts (as plotly.js's own locale files do); if Plotly is already there, it is registered
   now. The keys are plotly.js's English strings, exactly; tests/test_chart_language.py checks that every toolbar
   tooltip of the installed plotly.js has its Bangla here. */
(function () {
  "use strict";
  var locale = {
    moduleType: "locale",
    name: "bn",
    dictionary: {
      "Autoscale": "স্বয়ংক্রিয় মাপে দেখুন",
      "Box Select": "আয়তক্ষেত্র দিয়ে বাছাই",
      "Compare data on hover": "কার্সর রাখলে সব তথ্যের তুলনা দেখুন",
      "Download plot": "চিত্রটি ডাউনলোড করুন",
      "Download plot as a PNG": "চিত্রটি ছবি (PNG) হিসেবে ডাউনলোড করুন",
      "Download plot as JSON": "চিত্রটি JSON হিসেবে ডাউনলোড করুন",
      "Draw circle": "বৃত্ত আঁকুন",
      "Draw closed freeform": "বদ্ধ মুক্তরেখা আঁকুন",
      "Draw line": "রেখা আঁকুন",
      "Draw open freeform": "খোলা মুক্তরেখা আঁকুন",
      "Draw rectangle": "আয়তক্ষেত্র আঁকুন",
      "Erase active shape": "বাছাই করা আকৃতি মুছুন",
      "Lasso Select": "মুক্তরেখা দিয়ে বাছাই",
      "Orbital rotation": "কক্ষপথে ঘোরান",
      "Pan": "সরিয়ে দেখুন",
      "Reset": "আগের অবস্থায় ফেরান",
      "Reset axes": "অক্ষ আগের অবস্থায় ফেরান",
      "Reset camera to default": "দৃষ্টিকোণ প্রাথমিক অবস্থায় ফেরান",
      "Reset camera to last save": "দৃষ্টিকোণ সর্বশেষ সংরক্ষিত অবস্থায় ফেরান",
      "Reset view": "দৃশ্য আগের অবস্থায় ফেরান",
      "Reset views": "দৃশ্যগুলো আগের অবস্থায় ফেরান",
      "Share chart...": "চিত্রটি শেয়ার করুন...",
      "Show closest data on hover": "কার্সর রাখলে নিকটতম তথ্য দেখুন",
      "Toggle Spike Lines": "নির্দেশক রেখা দেখান বা লুকান",
      "Toggle show closest data on hover": "কার্সর রাখলে নিকটতম তথ্য দেখানো চালু বা বন্ধ করুন",
      "Turntable rotation": "অক্ষের চারদিকে ঘোরান",
      "Zoom": "অংশ বড় করে দেখুন",
      "Zoom in": "বড় করুন",
      "Zoom out": "ছোট করুন",

      "Double-click on legend to isolate one trace": "একটি ধারা আলাদা করে দেখতে নির্দেশিকায় দুবার ক্লিক করুন",
      "Double-click to zoom back out": "আগের মাপে ফিরতে দুবার ক্লিক করুন",
      "Image download succeeded": "ছবি ডাউনলোড সম্পন্ন হয়েছে",
      "JSON download succeeded": "JSON ডাউনলোড সম্পন্ন হয়েছে",
      "Preparing image - this may take a few seconds": "ছবি তৈরি হচ্ছে, কয়েক সেকেন্ড লাগতে পারে",
      "Sorry, there was a problem downloading your JSON file!": "দুঃখিত, JSON ফাইলটি ডাউনলোড করতে সমস্যা হয়েছে!",
      "Sorry, there was a problem downloading your image!": "দুঃখিত, ছবিটি ডাউনলোড করতে সমস্যা হয়েছে!",

      "Click to enter Colorscale title": "রঙের মাপনীর শিরোনাম লিখতে ক্লিক করুন",
      "Click to enter Component A title": "উপাদান A-এর শিরোনাম লিখতে ক্লিক করুন",
      "Click to enter Component B title": "উপাদান B-এর শিরোনাম লিখতে ক্লিক করুন",
      "Click to enter Component C title": "উপাদান C-এর শিরোনাম লিখতে ক্লিক করুন",
      "Click to enter Plot subtitle": "চিত্রের উপশিরোনাম লিখতে ক্লিক করুন",
      "Click to enter Plot title": "চিত্রের শিরোনাম লিখতে ক্লিক করুন",
      "Click to enter X axis title": "X অক্ষের শিরোনাম লিখতে ক্লিক করুন",
      "Click to enter Y axis title": "Y অক্ষের শিরোনাম লিখতে ক্লিক করুন",
      "Click to enter radial axis title": "ব্যাসার্ধ অক্ষের শিরোনাম লিখতে ক্লিক করুন",
      "new text": "নতুন লেখা",
      "trace": "ধারা"
    },
    format: {
      days: ["রবিবার", "সোমবার", "মঙ্গলবার", "বুধবার", "বৃহস্পতিবার", "শুক্রবার", "শনিবার"],
      shortDays: ["রবি", "সোম", "মঙ্গল", "বুধ", "বৃহস্পতি", "শুক্র", "শনি"],
      months: ["জানুয়ারি", "ফেব্রুয়ারি", "মার্চ", "এপ্রিল", "মে", "জুন", "জুলাই", "আগস্ট", "সেপ্টেম্বর", "অক্টোবর",
               "নভেম্বর", "ডিসেম্বর"],
      shortMonths: ["জানু", "ফেব্রু", "মার্চ", "এপ্রিল", "মে", "জুন", "জুলাই", "আগস্ট", "সেপ্টে", "অক্টো", "নভে",
                    "ডিসে"]
    }
  };
  if (window.Plotly && typeof window.Plotly.register === "function") {
    window.Plotly.register(locale);
  } else {
    window.PlotlyLocales = window.PlotlyLocales || [];
    window.PlotlyLocales.push(locale);
  }
})();
