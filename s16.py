import sys; sys.path.insert(0,'/tmp/rv')
from h import *
d=drv("/tmp/rv/dl16")
login(d,"donor")
d.get(BASE+"/district-map"); wait_idle(d,30)
g=d.find_element(By.CSS_SELECTOR,".js-plotly-plot")
print(d.execute_script("var g=arguments[0]; return g.data.map(t=>[t.type,t.name,(t.locations||[]).length,String(JSON.stringify(t.hovertemplate)).slice(0,200),String(JSON.stringify((t.customdata||[]).slice(0,2))).slice(0,200),String(JSON.stringify((t.text||[]).slice? (t.text||[]).slice(0,3):t.text)).slice(0,200)])",g))
d.quit()
